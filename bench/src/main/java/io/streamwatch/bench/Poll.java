package io.streamwatch.bench;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition instead of sleeping a fixed time. */
final class Poll {
    private Poll() {}

    /**
     * Returns the first non-null value of {@code probe}, checked every {@code everyMs}; a RuntimeException counts as
     * "not yet". Fails with {@code what} after {@code timeout}.
     */
    static <T> T until(Duration timeout, long everyMs, String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = probe.get();
                if (v != null) return v;
            } catch (RuntimeException e) {
                last = e;
            }
            sleep(everyMs);
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
    }

    static <T> T until(Duration timeout, String what, Supplier<T> probe) {
        return until(timeout, 50, what, probe);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
