package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;

/**
 * A rule's identity and what it reads: its {@code alertname}, {@code severity}, how many batches
 * (or lag samples) and what makes it worth asking again. Subclasses supply only the condition.
 */
abstract class NamedRule<W> implements Rule<W> {
    /** What can change a rule's verdict. */
    enum Trigger {
        /** Only new evidence (a batch, a lag sample): asked when its subject changed. */
        EVIDENCE,
        /** Also time passing (an expiry): asked every second too. */
        CLOCK,
        /**
         * Time passing without news (silence, stalls): asked every second, and held during the
         * start-up grace, when silence is the service's own downtime.
         */
        SILENCE
    }

    private final String name;
    private final Severity severity;
    private final int window;
    private final Trigger trigger;

    NamedRule(String name, Severity severity, int window, Trigger trigger) {
        this.name = name;
        this.severity = severity;
        this.window = window;
        this.trigger = trigger;
    }

    @Override
    public final int window() {
        return window;
    }

    @Override
    public final boolean clockDriven() {
        return trigger != Trigger.EVIDENCE;
    }

    @Override
    public final boolean judgesSilence() {
        return trigger == Trigger.SILENCE;
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
