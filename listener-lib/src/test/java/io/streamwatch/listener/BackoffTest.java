package io.streamwatch.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long NOW = 1_790_000_000_000L; // Mon, 21 Sep 2026 14:13:20 GMT

    @Test
    void retryAfterInSecondsIsThatManyMilliseconds() {
        assertEquals(2000, Backoff.retryAfterMs("2", NOW));
        assertEquals(0, Backoff.retryAfterMs("0", NOW));
        assertEquals(30_000, Backoff.retryAfterMs(" 30 ", NOW));
    }

    @Test
    void retryAfterAsAnHttpDateIsTheTimeUntilThen() {
        assertEquals(7000, Backoff.retryAfterMs("Mon, 21 Sep 2026 14:13:27 GMT", NOW));
        assertEquals(0, Backoff.retryAfterMs("Mon, 21 Sep 2026 14:00:00 GMT", NOW), "in the past");
    }

    @Test
    void retryAfterIsCappedAtOneMinute() {
        assertEquals(60_000, Backoff.retryAfterMs("3600", NOW));
        assertEquals(60_000, Backoff.retryAfterMs("99999999999999999999", NOW));
        assertEquals(60_000, Backoff.retryAfterMs("Tue, 22 Sep 2026 14:13:20 GMT", NOW));
    }

    @Test
    void absentOrUnreadableRetryAfterMeansNone() {
        assertEquals(-1, Backoff.retryAfterMs(null, NOW));
        assertEquals(-1, Backoff.retryAfterMs("", NOW));
        assertEquals(-1, Backoff.retryAfterMs("-5", NOW));
        assertEquals(-1, Backoff.retryAfterMs("soon", NOW));
        assertEquals(-1, Backoff.retryAfterMs("1.5", NOW));
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCapWithJitter() {
        Backoff half = new Backoff(200, 1000, () -> 0.5);
        assertEquals(100, half.delayMs(0));
        assertEquals(200, half.delayMs(1));
        assertEquals(400, half.delayMs(2));
        assertEquals(500, half.delayMs(10));
    }
}
