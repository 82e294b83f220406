package io.streamwatch.service.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final MutableClock clock = new MutableClock(1_790_000_000_000L);

    private static int admitted(RateLimiter limiter, String app, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) if (limiter.acquire(app) == 0) n++;
        return n;
    }

    @Test
    void aBurstOfTwiceTheRateIsAdmittedThenTheNextRequestWaits() {
        RateLimiter limiter = new RateLimiter(clock, 50, 100, app -> true);
        assertEquals(100, limiter.burst());
        assertEquals(100, admitted(limiter, "orders", 100));
        assertEquals(1, limiter.acquire("orders"), "refused, retry after one second");
    }

    @Test
    void theBucketRefillsAtTheRateAndNeverBeyondTheBurst() {
        RateLimiter limiter = new RateLimiter(clock, 50, 100, app -> true);
        admitted(limiter, "orders", 100);
        clock.advance(Duration.ofMillis(100));
        assertEquals(5, admitted(limiter, "orders", 10), "50/s for 100 ms");
        clock.advance(Duration.ofHours(1));
        assertEquals(
                100,
                admitted(limiter, "orders", 150),
                "an idle hour buys one burst, not 180,000 requests");
    }

    @Test
    void aSlowRateStillAllowsABurstOfTenAndAsksForTheRightWait() {
        RateLimiter limiter = new RateLimiter(clock, 0.5, 100, app -> true);
        assertEquals(10, limiter.burst(), "burst is at least 10");
        assertEquals(10, admitted(limiter, "orders", 10));
        assertEquals(2, limiter.acquire("orders"), "one request every 2 s");
        clock.advance(Duration.ofMillis(1500));
        assertEquals(1, limiter.acquire("orders"), "half a second to go, rounded up");
        clock.advance(Duration.ofMillis(500));
        assertEquals(0, limiter.acquire("orders"));
    }

    @Test
    void appsHaveSeparateBuckets() {
        RateLimiter limiter = new RateLimiter(clock, 5, 100, app -> true);
        assertEquals(10, admitted(limiter, "a", 20));
        assertEquals(10, admitted(limiter, "b", 20), "a's flood does not slow b");
    }

    @Test
    void aClockStepBackwardsRefillsNothing() {
        RateLimiter limiter = new RateLimiter(clock, 5, 100, app -> true);
        admitted(limiter, "a", 10);
        clock.advance(Duration.ofMinutes(-10));
        assertEquals(0, admitted(limiter, "a", 5));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(5, admitted(limiter, "a", 10), "time counts again from the new reading");
    }

    @Test
    void memoryStaysBoundedWhenKeysAreInventedFasterThanTheyIdle() {
        Set<String> known = ConcurrentHashMap.newKeySet();
        known.add("real-1");
        known.add("real-2");
        RateLimiter limiter = new RateLimiter(clock, 5, 10, known::contains);
        admitted(limiter, "real-1", 10);
        admitted(limiter, "real-2", 3);
        for (int i = 0; i < 10_000; i++) limiter.acquire("invented-" + i);
        assertTrue(limiter.size() <= 10, "buckets: " + limiter.size());
        assertEquals(
                0,
                admitted(limiter, "real-1", 5),
                "a known app's bucket survives the flood: still empty");
        assertEquals(7, admitted(limiter, "real-2", 20), "and keeps its count");
    }

    @Test
    void aFullBucketIsForgottenWithoutChangingAnything() {
        RateLimiter limiter = new RateLimiter(clock, 5, 2, app -> false);
        limiter.acquire("a");
        limiter.acquire("b");
        clock.advance(Duration.ofSeconds(10)); // both refilled: indistinguishable from new buckets
        limiter.acquire("c");
        assertTrue(limiter.size() <= 2, "buckets: " + limiter.size());
        assertEquals(
                10,
                admitted(limiter, "a", 20),
                "a forgotten idle app starts with a full burst, as before");
    }
}
