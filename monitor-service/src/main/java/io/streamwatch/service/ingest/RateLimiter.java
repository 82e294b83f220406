package io.streamwatch.service.ingest;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Ingest requests per app key: a token bucket per app that refills at {@code perSecond} and holds
 * up to {@code burst} requests ({@code max(10, 2 × perSecond)}), so a listener catching up after an
 * outage may send a short burst, but a runaway or hostile sender cannot flood one app's state.
 *
 * <p>Memory stays bounded without trusting the sender: a bucket that has refilled completely says
 * nothing a new bucket would not, so it may be dropped at any time. Once {@code maxBuckets} are
 * held, full buckets and buckets of keys that are not {@code tracked} (not a known app) are
 * dropped; a key that is still not tracked then gets no bucket, which is safe because the app
 * registry refuses new apps beyond {@code ingest.maxApps} on its own.
 */
public final class RateLimiter {
    static final double MIN_BURST = 10;

    private final Clock clock;
    private final double perSecond;
    private final double burst;
    private final int maxBuckets;
    private final Predicate<String> tracked;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perSecond sustained requests per second and app ({@code
     *     ingest.maxRequestsPerSecondPerApp})
     * @param maxBuckets buckets kept before idle and unknown ones are dropped (e.g. {@code
     *     ingest.maxApps})
     * @param tracked whether a key is a known app, whose bucket is always kept
     */
    public RateLimiter(Clock clock, double perSecond, int maxBuckets, Predicate<String> tracked) {
        if (!(perSecond > 0))
            throw new IllegalArgumentException("perSecond must be > 0, got " + perSecond);
        this.clock = clock;
        this.perSecond = perSecond;
        this.burst = Math.max(MIN_BURST, 2 * perSecond);
        this.maxBuckets = Math.max(1, maxBuckets);
        this.tracked = tracked;
    }

    public double perSecond() {
        return perSecond;
    }

    public double burst() {
        return burst;
    }

    /**
     * Takes one request from {@code app}'s bucket.
     *
     * @return 0 when the request may proceed, otherwise whole seconds (at least 1) until it may
     */
    public long acquire(String app) {
        long now = clock.millis();
        Bucket b = buckets.get(app);
        if (b == null) {
            if (buckets.size() >= maxBuckets) {
                prune(now);
                if (buckets.size() >= maxBuckets && !tracked.test(app)) return 0;
            }
            b = buckets.computeIfAbsent(app, k -> new Bucket(burst, now));
        }
        return b.take(now, perSecond, burst);
    }

    /** Buckets held now (for tests: memory stays bounded). */
    int size() {
        return buckets.size();
    }

    private void prune(long now) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<String, Bucket> e = it.next();
            if (e.getValue().full(now, perSecond, burst) || !tracked.test(e.getKey())) it.remove();
        }
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(long now, double perSecond, double burst) {
            refill(now, perSecond, burst);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
        }

        synchronized boolean full(long now, double perSecond, double burst) {
            refill(now, perSecond, burst);
            return tokens >= burst;
        }

        /** A clock that steps back refills nothing and restarts the interval from the new time. */
        private void refill(long now, double perSecond, double burst) {
            if (now > last) tokens = Math.min(burst, tokens + (now - last) * perSecond / 1000.0);
            last = now;
        }
    }
}
