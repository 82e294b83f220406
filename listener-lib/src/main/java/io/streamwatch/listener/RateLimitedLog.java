package io.streamwatch.listener;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval and says how many were held back, so a problem that
 * repeats on every event cannot flood the driver's log. Thread-safe.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalMs;
    private final AtomicLong nextAllowedMs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(Logger log, long intervalMs) {
        this.log = log;
        this.intervalMs = intervalMs;
    }

    void warn(String message, Throwable cause) {
        long now = System.currentTimeMillis();
        long next = nextAllowedMs.get();
        if (now < next || !nextAllowedMs.compareAndSet(next, now + intervalMs)) {
            suppressed.incrementAndGet();
            log.debug(message, cause);
            return;
        }
        long held = suppressed.getAndSet(0);
        String text = held == 0 ? message : message + " (" + held + " similar messages suppressed)";
        if (cause == null) {
            log.warn(text);
        } else {
            log.warn(text, cause);
        }
    }
}
