package io.streamwatch.listener;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.DoubleSupplier;

/**
 * How long the shipper waits before the next attempt. Capped exponential backoff with full jitter:
 * attempt {@code n} waits a uniformly random time in {@code [0, min(cap, base * 2^n))}. A {@code
 * Retry-After} from the service ({@link #retryAfterMs}) is a lower bound on top of that.
 */
final class Backoff {
    /** The longest a {@code Retry-After} is honoured for; a larger one waits this long. */
    static final long MAX_RETRY_AFTER_MS = 60_000;

    private final long baseMs;
    private final long capMs;
    private final DoubleSupplier random;

    Backoff(long baseMs, long capMs, DoubleSupplier random) {
        this.baseMs = baseMs;
        this.capMs = capMs;
        this.random = random;
    }

    long delayMs(int attempt) {
        int shift = Math.max(0, Math.min(attempt, 30));
        long ceiling = Math.min(capMs, baseMs << shift);
        return (long) (random.getAsDouble() * ceiling);
    }

    /**
     * The wait a {@code Retry-After} header asks for, in delay-seconds ({@code 120}) or as an
     * HTTP-date ({@code Wed, 21 Oct 2026 07:28:00 GMT}), capped at {@value #MAX_RETRY_AFTER_MS} ms;
     * 0 for a date in the past, -1 when the value is absent or not understood.
     */
    static long retryAfterMs(String value, long nowMs) {
        if (value == null) {
            return -1;
        }
        String text = value.trim();
        if (text.isEmpty()) {
            return -1;
        }
        long ms;
        if (isDigits(text)) {
            ms = text.length() > 9 ? MAX_RETRY_AFTER_MS : Long.parseLong(text) * 1000;
        } else {
            try {
                ms =
                        DateTimeFormatter.RFC_1123_DATE_TIME
                                        .parse(text, Instant::from)
                                        .toEpochMilli()
                                - nowMs;
            } catch (DateTimeParseException e) {
                return -1;
            }
        }
        return Math.max(0, Math.min(MAX_RETRY_AFTER_MS, ms));
    }

    private static boolean isDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
