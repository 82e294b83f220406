package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.config.ServiceConfig.Receiver;
import io.streamwatch.service.config.ServiceConfig.Secrets;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.WebhookReceiver;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Webhook and PagerDuty delivery through an outbox, over real HTTP to a loopback receiver. */
class OutboxChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Gives up (today's channel) after 3 attempts or 200 ms. */
    private static final RetryPolicy FAST =
            new RetryPolicy(
                    Duration.ofMillis(10), Duration.ofMillis(40), 3, Duration.ofMillis(200));

    private final MutableClock clock =
            new MutableClock(Instant.parse("2024-05-01T10:05:00Z").toEpochMilli());
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    /** The outbox as a list, oldest first; the cap is the store's business (SqliteOutboxTest). */
    static final class MemoryOutbox implements Outbox {
        final List<Entry> entries = new ArrayList<>();
        private long next = 1;

        @Override
        public synchronized int add(
                String receiver, Alert alert, Transition transition, long nowMs, int cap) {
            entries.add(
                    new Entry(
                            next++,
                            receiver,
                            alert.key(),
                            transition,
                            AlertCodec.write(alert),
                            nowMs));
            return 0;
        }

        @Override
        public synchronized Optional<Entry> oldest(String receiver) {
            return entries.stream().filter(e -> e.receiver().equals(receiver)).findFirst();
        }

        @Override
        public synchronized void remove(long id) {
            entries.removeIf(e -> e.id() == id);
        }

        @Override
        public synchronized Depth depth(String receiver) {
            List<Entry> mine = entries.stream().filter(e -> e.receiver().equals(receiver)).toList();
            return new Depth(mine.size(), mine.isEmpty() ? 0 : mine.get(0).createdAtMs());
        }
    }

    private NotificationDispatcher dispatcher(Outbox outbox, Receiver receiver) {
        return new NotificationDispatcher(
                List.of(receiver),
                Duration.ofSeconds(60),
                "http://streamwatch.example:8080",
                metrics,
                clock,
                NotificationDispatcher.defaultClient(),
                FAST,
                100,
                Duration.ofMillis(300),
                outbox);
    }

    @Test
    void aWebhookDownLongerThanTheRetryPolicyGetsTheFiringAndTheResolvedOnceBack()
            throws IOException {
        AtomicBoolean up = new AtomicBoolean(false);
        MemoryOutbox outbox = new MemoryOutbox();
        try (WebhookReceiver hook =
                        WebhookReceiver.responding(
                                i -> new WebhookReceiver.Reply(up.get() ? 200 : 503, ""));
                NotificationDispatcher d =
                        dispatcher(
                                outbox,
                                new Receiver("webhook", hook.url("/hook"), Secrets.none()))) {
            Alert alert = TestAlerts.firing("StreamingAppDown", "orders", "critical");
            d.publish(alert, Transition.FIRING);
            d.publish(TestAlerts.resolved(alert, TestAlerts.ENDS_AT), Transition.RESOLVED);

            Await.until(WAIT, "well past 3 attempts", () -> hook.received().size() >= 8);
            assertEquals(2, outbox.entries.size(), "nothing given up: " + outbox.entries);
            clock.advance(Duration.ofSeconds(90));
            Gauge age =
                    metrics.find(MetricCatalogue.NOTIFY_OUTBOX_OLDEST_AGE.meterName())
                            .tag("receiver", "webhook-0")
                            .gauge();
            assertEquals(90.0, age.value(), 0.001);
            assertEquals(
                    2.0,
                    metrics.find(MetricCatalogue.NOTIFY_OUTBOX_ENTRIES.meterName())
                            .tag("receiver", "webhook-0")
                            .gauge()
                            .value());

            up.set(true);
            Await.until(WAIT, "the outbox empties", () -> outbox.depth("webhook-0").entries() == 0);
            List<String> delivered =
                    hook.received().stream()
                            .filter(r -> r.receivedAtMs() > 0)
                            .map(r -> r.json().get("status").asText())
                            .toList();
            int n = delivered.size();
            assertEquals(List.of("firing", "resolved"), delivered.subList(n - 2, n));
            assertEquals(0.0, age.value());
        }
    }

    @Test
    void aRejectionIsNotRetriedForeverAndIsCounted() throws IOException {
        MemoryOutbox outbox = new MemoryOutbox();
        try (WebhookReceiver pd = WebhookReceiver.answering(400);
                NotificationDispatcher d =
                        dispatcher(
                                outbox,
                                new Receiver(
                                        "pagerduty",
                                        pd.url("/v2/enqueue"),
                                        new Secrets(List.of("pd-key-1234567890"))))) {
            d.publish(
                    TestAlerts.firing("StreamingAppDown", "orders", "critical"), Transition.FIRING);
            Await.until(
                    WAIT,
                    "the rejection counted",
                    () ->
                            metrics.find(MetricCatalogue.NOTIFICATIONS.meterName())
                                            .tag("receiver", "pagerduty-0")
                                            .tag("result", "rejected")
                                            .counter()
                                            .count()
                                    == 1);
            assertTrue(outbox.entries.isEmpty());
            assertEquals(1, pd.received().size());
        }
    }
}
