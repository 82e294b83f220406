package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.WebhookReceiver;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which answers a receiver's channel retries and how long it waits first. Waits are recorded
 * instead of slept, so a two-second Retry-After costs no test time.
 */
class ReceiverChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Short backoff (10-20 ms) so that any longer wait can only come from a Retry-After. */
    private static final RetryPolicy SHORT =
            new RetryPolicy(
                    Duration.ofMillis(10), Duration.ofMillis(20), 5, Duration.ofMinutes(10));

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final MutableClock clock =
            new MutableClock(Instant.parse("2026-05-01T10:05:00Z").toEpochMilli());
    private final OkHttpClient client = NotificationDispatcher.defaultClient();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) closeAfter.get(i).close();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private WebhookReceiver receiver(int... statuses) throws IOException {
        WebhookReceiver r =
                WebhookReceiver.responding(
                        i ->
                                new WebhookReceiver.Reply(
                                        i < statuses.length ? statuses[i] : 200, ""));
        closeAfter.add(r);
        return r;
    }

    /**
     * A started channel to {@code url} whose waits advance the clock and are recorded, not slept.
     */
    private ReceiverChannel channel(String url) {
        ReceiverChannel c =
                new ReceiverChannel(
                        "webhook-0",
                        new WebhookNotifier(
                                url, "http://streamwatch.example:8080", new ObjectMapper()),
                        client,
                        SHORT,
                        clock,
                        100,
                        metrics,
                        d -> {
                            waits.add(d);
                            clock.advance(d);
                        });
        closeAfter.add(c::forceStop);
        c.start();
        c.offer(TestAlerts.firing("StreamingBatchTooSlow", "orders", "warning"), Transition.FIRING);
        return c;
    }

    private double count(String result) {
        Counter c =
                metrics.find(MetricCatalogue.NOTIFICATIONS.meterName())
                        .tag("result", result)
                        .counter();
        return c == null ? -1 : c.count();
    }

    private void awaitSettled() {
        Await.until(
                WAIT,
                "sent, rejected or failed",
                () -> count("sent") + count("rejected") + count("failed") >= 1);
    }

    @Test
    void a503WithRetryAfterTwoSecondsIsNotRetriedBeforeTwoSeconds() throws IOException {
        WebhookReceiver r = receiver(503).retryAfter("2");
        channel(r.url("/hook"));
        awaitSettled();

        assertEquals(1, count("sent"));
        assertEquals(2, r.received().size());
        assertEquals(1, waits.size(), waits.toString());
        assertTrue(
                waits.get(0).compareTo(Duration.ofSeconds(2)) >= 0, "waited only " + waits.get(0));
    }

    @Test
    void a429WithAnHttpDateIsNotRetriedBeforeThatDate() throws IOException {
        String inFiveSeconds =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        clock.instant().plusSeconds(5).atOffset(ZoneOffset.UTC));
        WebhookReceiver r = receiver(429).retryAfter(inFiveSeconds);
        channel(r.url("/hook"));
        awaitSettled();

        assertEquals(1, count("sent"));
        assertEquals(List.of(Duration.ofSeconds(5)), waits);
    }

    @Test
    void aRetryAfterOfADayIsCappedAtOneMinute() throws IOException {
        WebhookReceiver r = receiver(503).retryAfter("86400");
        channel(r.url("/hook"));
        awaitSettled();

        assertEquals(List.of(RetryPolicy.MAX_RETRY_AFTER), waits);
        assertEquals(1, count("sent"));
    }

    @Test
    void a500IsRejectedNotRetried() throws IOException {
        WebhookReceiver r = receiver(500);
        channel(r.url("/hook"));
        awaitSettled();

        assertEquals(1, count("rejected"));
        assertEquals(0, count("retried"));
        assertEquals(1, r.received().size());
        assertEquals(List.of(), waits);
    }

    @Test
    void a400IsRejectedNotRetriedEvenWithRetryAfter() throws IOException {
        WebhookReceiver r = receiver(400).retryAfter("1");
        channel(r.url("/hook"));
        awaitSettled();

        assertEquals(1, count("rejected"));
        assertEquals(1, r.received().size());
        assertEquals(List.of(), waits);
    }

    @Test
    void a502And504AreRetriedWithBackoff() throws IOException {
        WebhookReceiver r = receiver(502, 504);
        channel(r.url("/hook"));
        awaitSettled();

        assertEquals(1, count("sent"));
        assertEquals(2, count("retried"));
        assertEquals(3, r.received().size());
        assertEquals(r.received().get(0).body(), r.received().get(2).body());
        assertEquals(2, waits.size());
        waits.forEach(w -> assertTrue(w.toMillis() >= 5 && w.toMillis() <= 20, waits.toString()));
    }

    @Test
    void aRefusedConnectionIsRetried() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        channel("http://127.0.0.1:" + port + "/hook");
        Await.until(WAIT, "given up", () -> count("failed") == 1);

        assertEquals(SHORT.maxAttempts() - 1, count("retried"));
        assertEquals(SHORT.maxAttempts() - 1, waits.size());
    }

    @Test
    void retryAfterIsReadInSecondsOrAsAnHttpDate() {
        Instant now = Instant.parse("2026-09-21T14:13:20Z");
        assertEquals(Duration.ofSeconds(2), RetryPolicy.retryAfter("2", now));
        assertEquals(
                Duration.ofSeconds(7),
                RetryPolicy.retryAfter("Mon, 21 Sep 2026 14:13:27 GMT", now));
        assertEquals(Duration.ZERO, RetryPolicy.retryAfter("Mon, 21 Sep 2026 14:00:00 GMT", now));
        assertNull(RetryPolicy.retryAfter(null, now));
        assertNull(RetryPolicy.retryAfter("soon", now));
        assertNull(RetryPolicy.retryAfter("-1", now));
    }
}
