package io.streamwatch.e2e;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition instead of sleeping a fixed time. */
final class Poll {
    private Poll() {}

    /**
     * Returns the first non-null value, or fails with {@code what} and the last exception seen. A
     * RuntimeException from the probe counts as "not yet"; an Error (e.g. an AssertionError saying a
     * process exited) ends the wait at once.
     */
    static <T> T until(Duration timeout, String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = probe.get();
                if (v != null) return v;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
    }
}
