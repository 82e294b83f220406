package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;

/**
 * A rule's identity: its {@code alertname} and {@code severity}. Subclasses supply the window and
 * the condition.
 */
abstract class NamedRule<W> implements Rule<W> {
    private final String name;
    private final Severity severity;

    NamedRule(String name, Severity severity) {
        this.name = name;
        this.severity = severity;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Severity severity() {
        return severity;
    }

    @Override
    public String toString() {
        return name;
    }
}
