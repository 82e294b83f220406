package io.streamwatch.service.rules;

import java.util.Locale;

/**
 * Where one alert of one subject stands. The {@link AlertMachine} moves between {@link #INACTIVE},
 * {@link #PENDING} and {@link #FIRING}; {@link #RESOLVED} is never held, only shown: it is the
 * state of the alerts kept in the history of {@code GET /api/v1/alerts?state=all}.
 */
public enum AlertStatus {
    INACTIVE,
    PENDING,
    FIRING,
    RESOLVED;

    /** How the API and the store write it: lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AlertStatus of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
