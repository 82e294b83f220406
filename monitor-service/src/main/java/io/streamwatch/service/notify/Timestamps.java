package io.streamwatch.service.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 in UTC with milliseconds, the one timestamp format every receiver gets. */
final class Timestamps {
    /**
     * What Alertmanager's webhook body puts in {@code endsAt} while an alert fires (Go's zero
     * time).
     */
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    static String iso(Instant instant) {
        return ISO.format(instant);
    }
}
