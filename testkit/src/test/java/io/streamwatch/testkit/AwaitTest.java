package io.streamwatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
    @Test
    void returnsTheFirstValueAndTreatsRuntimeExceptionsAsNotYet() {
        AtomicInteger calls = new AtomicInteger();
        String v =
                Await.result(
                        Duration.ofSeconds(5),
                        "the third call",
                        () -> {
                            int n = calls.incrementAndGet();
                            if (n == 1) throw new IllegalStateException("not up yet");
                            return n == 3 ? "ready" : null;
                        });
        assertEquals("ready", v);
        assertEquals(3, calls.get());
    }

    @Test
    void timesOutNamingWhatItWaitedForWithTheLastFailureAsCause() {
        IllegalStateException last = new IllegalStateException("connection refused");
        AssertionError e =
                assertThrows(
                        AssertionError.class,
                        () ->
                                Await.until(
                                        Duration.ofMillis(50),
                                        "the service",
                                        () -> {
                                            throw last;
                                        }));
        assertTrue(e.getMessage().contains("waiting for the service"), e.getMessage());
        assertSame(last, e.getCause());
    }

    @Test
    void anErrorEndsTheWaitAtOnce() {
        long start = System.nanoTime();
        AssertionError e =
                assertThrows(
                        AssertionError.class,
                        () ->
                                Await.until(
                                        Duration.ofSeconds(30),
                                        "never",
                                        () -> {
                                            throw new AssertionError("the process exited");
                                        }));
        assertEquals("the process exited", e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    }
}
