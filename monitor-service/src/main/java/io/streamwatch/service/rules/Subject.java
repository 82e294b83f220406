package io.streamwatch.service.rules;

/**
 * What an alert is about: an app ({@code label = "app"}) or a Kafka consumer group ({@code
 * "group"}), by name.
 */
record Subject(String label, String name) {
    static Subject app(String name) {
        return new Subject("app", name);
    }
}
