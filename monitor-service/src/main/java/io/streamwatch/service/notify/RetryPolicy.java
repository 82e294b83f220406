package io.streamwatch.service.notify;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long one notification is retried: exponential backoff from {@code initialDelay} doubling up
 * to {@code maxDelay}, each delay jittered down by up to half, for at most {@code maxAttempts}
 * attempts and no retry that would start later than {@code giveUpAfter} after the first.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, int maxAttempts, Duration giveUpAfter) {
    public RetryPolicy {
        if (initialDelay.isNegative() || initialDelay.isZero()) throw new IllegalArgumentException("initialDelay must be positive");
        if (maxDelay.compareTo(initialDelay) < 0) throw new IllegalArgumentException("maxDelay must be >= initialDelay");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
    }

    /** 500 ms doubling to 30 s, 10 attempts, nothing retried after 5 minutes. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(30), 10, Duration.ofMinutes(5));
    }

    /** The pause before attempt {@code failedAttempts + 1}, with jitter: between half and all of the backoff. */
    Duration delayAfter(int failedAttempts) {
        long base = initialDelay.toMillis();
        long cap = maxDelay.toMillis();
        long backoff = failedAttempts >= 31 ? cap : Math.min(cap, base << Math.max(0, failedAttempts - 1));
        long half = backoff / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(backoff - half + 1));
    }
}
