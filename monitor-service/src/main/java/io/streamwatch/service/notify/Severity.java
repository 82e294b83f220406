package io.streamwatch.service.notify;

import java.util.Locale;

/**
 * How urgent an alert is: its {@code severity} label, written lower-case on the wire ({@code
 * warning}, {@code critical}).
 */
public enum Severity {
    WARNING,
    CRITICAL;

    /** The label value receivers, the API and the store see. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The severity a {@link #label()} names. */
    public static Severity of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
