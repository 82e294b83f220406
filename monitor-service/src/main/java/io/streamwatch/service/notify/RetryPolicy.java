package io.streamwatch.service.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long one notification is retried: exponential backoff from {@code initialDelay} doubling up
 * to {@code maxDelay}, each delay jittered down by up to half, for at most {@code maxAttempts}
 * attempts and no retry that would start later than {@code giveUpAfter} after the first. Only
 * connection errors and {@link #retryable} answers are retried, and never sooner than a {@code
 * Retry-After} asks (at most {@link #MAX_RETRY_AFTER}).
 */
public record RetryPolicy(
        Duration initialDelay, Duration maxDelay, int maxAttempts, Duration giveUpAfter) {
    /**
     * The longest a receiver's {@code Retry-After} is honoured for; a larger one waits this long.
     */
    public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    public RetryPolicy {
        if (initialDelay.isNegative() || initialDelay.isZero())
            throw new IllegalArgumentException("initialDelay must be positive");
        if (maxDelay.compareTo(initialDelay) < 0)
            throw new IllegalArgumentException("maxDelay must be >= initialDelay");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
    }

    /** 500 ms doubling to 30 s, 10 attempts, nothing retried after 5 minutes. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(
                Duration.ofMillis(500), Duration.ofSeconds(30), 10, Duration.ofMinutes(5));
    }

    /**
     * The pause before attempt {@code failedAttempts + 1}, with jitter: between half and all of the
     * backoff.
     */
    Duration delayAfter(int failedAttempts) {
        long base = initialDelay.toMillis();
        long cap = maxDelay.toMillis();
        long backoff =
                failedAttempts >= 31 ? cap : Math.min(cap, base << Math.max(0, failedAttempts - 1));
        long half = backoff / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(backoff - half + 1));
    }

    /**
     * The backoff pause, but at least what the receiver asked for ({@code retryAfter}, null:
     * nothing).
     */
    Duration delayAfter(int failedAttempts, Duration retryAfter) {
        Duration backoff = delayAfter(failedAttempts);
        if (retryAfter == null) return backoff;
        Duration asked = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        return asked.compareTo(backoff) > 0 ? asked : backoff;
    }

    /**
     * Answers a later attempt may fix: 429 (slow down), 502, 503, 504 (a proxy or the receiver is
     * down).
     */
    static boolean retryable(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /**
     * The wait a {@code Retry-After} header asks for, in delay-seconds ({@code 120}) or as an
     * HTTP-date ({@code Wed, 21 Oct 2026 07:28:00 GMT}); zero for a date in the past, null when
     * absent or not understood.
     */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) return null;
        String value = header.strip();
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return value.length() > 9 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Duration until =
                    Duration.between(
                            now, DateTimeFormatter.RFC_1123_DATE_TIME.parse(value, Instant::from));
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
