package io.streamwatch.service.rules;

/**
 * What an alert is about: an app ({@code label = "app"}), a Kafka consumer group ({@code "group"}),
 * by name, or one Structured Streaming query of an app ({@code label = "app"}, {@code query} its
 * query key; null for every other subject).
 */
record Subject(String label, String name, String query) {
    Subject(String label, String name) {
        this(label, name, null);
    }

    static Subject app(String name) {
        return new Subject("app", name);
    }

    static Subject query(String app, String query) {
        return new Subject("app", app, query);
    }

    /** How logs name it: {@code app 'orders'}, {@code query 'enrich' of app 'orders'}. */
    String describe() {
        return (query == null ? "" : "query '" + query + "' of ") + label + " '" + name + "'";
    }
}
