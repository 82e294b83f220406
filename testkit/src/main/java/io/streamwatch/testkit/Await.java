package io.streamwatch.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition instead of sleeping a fixed time: the only way the tests, the demo and the
 * benchmarks wait. A probe is asked again and again (first after 10 ms, backing off to every 100
 * ms, or at a fixed period where one is given) until it holds or the timeout passes. A
 * RuntimeException from the probe counts as "not yet" (the last one becomes the cause of the
 * timeout); an Error, such as an AssertionError saying a process exited, ends the wait at once.
 */
public final class Await {
    private static final long FIRST_MS = 10;
    private static final long MAX_MS = 100;

    private Await() {}

    /**
     * Returns once {@code condition} holds; fails with an AssertionError naming {@code what} after
     * {@code timeout}.
     */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, () -> what, condition);
    }

    /**
     * As {@link #until(Duration, String, BooleanSupplier)}, the description made only when the wait
     * fails.
     */
    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        poll(timeout, 0, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /**
     * The first non-null value of {@code probe}; fails with an AssertionError naming {@code what}
     * after {@code timeout}.
     */
    public static <T> T result(Duration timeout, String what, Supplier<T> probe) {
        return poll(timeout, 0, () -> what, probe);
    }

    /**
     * As {@link #result(Duration, String, Supplier)}, asking {@code probe} every {@code every} (for
     * costly probes).
     */
    public static <T> T result(Duration timeout, Duration every, String what, Supplier<T> probe) {
        return poll(timeout, Math.max(1, every.toMillis()), () -> what, probe);
    }

    /**
     * As {@link #result(Duration, Duration, String, Supplier)}, the description made only when the
     * wait fails.
     */
    public static <T> T result(
            Duration timeout, Duration every, Supplier<String> what, Supplier<T> probe) {
        return poll(timeout, Math.max(1, every.toMillis()), what, probe);
    }

    private static <T> T poll(
            Duration timeout, long fixedMs, Supplier<String> what, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = fixedMs > 0 ? fixedMs : FIRST_MS;
        RuntimeException last = null;
        while (true) {
            try {
                T v = probe.get();
                if (v != null) return v;
            } catch (RuntimeException e) {
                last = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            if (fixedMs == 0) pause = Math.min(MAX_MS, pause * 2);
        }
        throw new AssertionError(
                "timed out after " + timeout.toMillis() + " ms waiting for " + what.get(), last);
    }

    /**
     * Thread.sleep whose interruption keeps the interrupt flag and surfaces as an unchecked
     * exception.
     */
    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
