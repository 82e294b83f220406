package io.streamwatch.service.rules;

/** A rule's identity: its {@code alertname} and {@code severity}. Subclasses supply only the condition. */
abstract class NamedRule implements Rule {
    private final String name;
    private final String severity;

    NamedRule(String name, String severity) {
        this.name = name;
        this.severity = severity;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String severity() {
        return severity;
    }
}
