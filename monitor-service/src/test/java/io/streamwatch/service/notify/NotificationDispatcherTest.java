package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamwatch.service.CapturedLogs;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.config.ServiceConfig.Receiver;
import io.streamwatch.service.config.ServiceConfig.Secrets;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.WebhookReceiver;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery over real HTTP to loopback receivers. */
class NotificationDispatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String KEY = "pd-routing-key-7f3a9c1e5b";
    private static final RetryPolicy FAST =
            new RetryPolicy(
                    Duration.ofMillis(20), Duration.ofMillis(100), 5, Duration.ofSeconds(10));

    private final PrometheusMeterRegistry metrics =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MutableClock clock =
            new MutableClock(Instant.parse("2024-05-01T10:05:00Z").toEpochMilli());
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) closeAfter.get(i).close();
        metrics.close();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closeAfter.add(resource);
        return resource;
    }

    private NotificationDispatcher dispatcher(
            RetryPolicy retry, int capacity, Duration drain, Receiver... receivers) {
        return closing(
                new NotificationDispatcher(
                        List.of(receivers),
                        Duration.ofSeconds(60),
                        "http://streamwatch.example:8080",
                        metrics,
                        clock,
                        NotificationDispatcher.defaultClient(),
                        retry,
                        capacity,
                        drain,
                        Outbox.none()));
    }

    private NotificationDispatcher dispatcher(Receiver... receivers) {
        return dispatcher(FAST, 100, Duration.ofMillis(500), receivers);
    }

    private static Receiver webhook(WebhookReceiver r) {
        return new Receiver("webhook", r.url("/hook"), Secrets.none());
    }

    private static Receiver pagerduty(WebhookReceiver r) {
        return new Receiver("pagerduty", r.url("/v2/enqueue"), new Secrets(List.of(KEY)));
    }

    private static Receiver alertmanager(WebhookReceiver r) {
        return new Receiver("alertmanager", r.url("/"), Secrets.none());
    }

    private double count(String receiver, String result) {
        Counter c =
                metrics.find(MetricCatalogue.NOTIFICATIONS.meterName())
                        .tag("receiver", receiver)
                        .tag("result", result)
                        .counter();
        return c == null ? -1 : c.count();
    }

    private static Alert firing(String app) {
        return TestAlerts.firing("StreamingBatchTooSlow", app, "warning");
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aWebhookGetsTheFiringThenTheResolvedBody() throws IOException {
        WebhookReceiver hook = closing(WebhookReceiver.answering(200));
        NotificationDispatcher d = dispatcher(webhook(hook));
        Alert alert = firing("orders");

        d.publish(alert, Transition.FIRING);
        d.publish(TestAlerts.resolved(alert, TestAlerts.ENDS_AT), Transition.RESOLVED);

        Await.until(WAIT, "two webhook posts", () -> hook.received().size() == 2);
        List<WebhookReceiver.Received> got = hook.received();
        assertEquals("POST", got.get(0).method());
        assertEquals("/hook", got.get(0).path());
        assertTrue(
                got.get(0).contentType().startsWith("application/json"), got.get(0).contentType());
        assertEquals("firing", got.get(0).json().get("status").asText());
        assertEquals("0001-01-01T00:00:00Z", got.get(0).json().at("/alerts/0/endsAt").asText());
        assertEquals("resolved", got.get(1).json().get("status").asText());
        assertEquals("2024-05-01T10:07:30.000Z", got.get(1).json().at("/alerts/0/endsAt").asText());
        assertEquals(got.get(0).json().get("groupKey"), got.get(1).json().get("groupKey"));
        Await.until(WAIT, "sent counted twice", () -> count("webhook-0", "sent") == 2);
    }

    @Test
    void pagerDutyGetsATriggerThenAResolveWithTheSameDedupKey() throws IOException {
        WebhookReceiver pd =
                closing(
                        WebhookReceiver.responding(
                                i ->
                                        new WebhookReceiver.Reply(
                                                202,
                                                "{\"status\":\"success\",\"dedup_key\":\"x\"}")));
        NotificationDispatcher d = dispatcher(pagerduty(pd));
        Alert alert = TestAlerts.firing("StreamingAppDown", "orders", "critical");

        d.publish(alert, Transition.FIRING);
        d.publish(TestAlerts.resolved(alert, TestAlerts.ENDS_AT), Transition.RESOLVED);

        Await.until(WAIT, "trigger and resolve", () -> pd.received().size() == 2);
        JsonNode trigger = pd.received().get(0).json();
        JsonNode resolve = pd.received().get(1).json();
        assertEquals("trigger", trigger.get("event_action").asText());
        assertEquals("resolve", resolve.get("event_action").asText());
        assertEquals("streamwatch/StreamingAppDown/orders", trigger.get("dedup_key").asText());
        assertEquals(trigger.get("dedup_key"), resolve.get("dedup_key"));
        assertEquals(KEY, resolve.get("routing_key").asText());
        Await.until(WAIT, "202 counted as sent", () -> count("pagerduty-0", "sent") == 2);
    }

    @Test
    void a503IsRetriedUntilTheReceiverAnswers() throws IOException {
        WebhookReceiver flaky =
                closing(
                        WebhookReceiver.responding(
                                i -> new WebhookReceiver.Reply(i < 2 ? 503 : 200, "")));
        NotificationDispatcher d = dispatcher(webhook(flaky));

        d.publish(firing("orders"), Transition.FIRING);

        Await.until(WAIT, "sent after two 503s", () -> count("webhook-0", "sent") == 1);
        assertEquals(3, flaky.received().size());
        assertEquals(flaky.received().get(0).body(), flaky.received().get(2).body());
        assertEquals(2, count("webhook-0", "retried"));
        assertEquals(0, count("webhook-0", "failed"));
    }

    @Test
    void a400IsRejectedOnceAndNotRetried() throws IOException {
        WebhookReceiver picky =
                closing(
                        WebhookReceiver.responding(
                                i ->
                                        i == 0
                                                ? new WebhookReceiver.Reply(
                                                        400, "{\"error\":\"bad alert\"}")
                                                : new WebhookReceiver.Reply(200, "")));
        try (CapturedLogs logs = new CapturedLogs("io.streamwatch.service.notify")) {
            NotificationDispatcher d = dispatcher(webhook(picky));

            d.publish(firing("orders"), Transition.FIRING);
            d.publish(firing("payments"), Transition.FIRING);

            // The queue is served in order, so once the second alert is sent the first was settled.
            Await.until(WAIT, "second alert sent", () -> count("webhook-0", "sent") == 1);
            assertEquals(2, picky.received().size());
            assertTrue(picky.received().get(1).body().contains("payments"));
            assertEquals(1, count("webhook-0", "rejected"));
            assertEquals(0, count("webhook-0", "retried"));
            assertTrue(logs.any("HTTP 400: {\"error\":\"bad alert\"}"), logs.lines().toString());
        }
    }

    @Test
    void anUnreachableReceiverIsRetriedThenCountedFailed() throws IOException {
        RetryPolicy threeAttempts =
                new RetryPolicy(
                        Duration.ofMillis(10), Duration.ofMillis(20), 3, Duration.ofSeconds(10));
        WebhookReceiver broken = closing(WebhookReceiver.answering(502));
        NotificationDispatcher d =
                dispatcher(
                        threeAttempts,
                        100,
                        Duration.ofMillis(500),
                        new Receiver(
                                "webhook",
                                "http://127.0.0.1:" + unusedPort() + "/hook",
                                Secrets.none()),
                        webhook(broken));

        d.publish(firing("orders"), Transition.FIRING);

        Await.until(
                WAIT,
                "both receivers given up",
                () -> count("webhook-0", "failed") == 1 && count("webhook-1", "failed") == 1);
        assertEquals(2, count("webhook-0", "retried"));
        assertEquals(2, count("webhook-1", "retried"));
        assertEquals(3, broken.received().size());
    }

    @Test
    void aHungReceiverDoesNotDelayAnotherOne() throws IOException {
        WebhookReceiver hung = closing(WebhookReceiver.hanging());
        WebhookReceiver healthy = closing(WebhookReceiver.answering(200));
        NotificationDispatcher d = dispatcher(webhook(hung), webhook(healthy));

        d.publish(firing("orders"), Transition.FIRING);
        d.publish(firing("payments"), Transition.FIRING);

        // The hung receiver never answers before close(), so both holding at once means nothing
        // waited for it.
        Await.until(
                WAIT,
                () ->
                        "healthy got both while the hung one holds the first; healthy="
                                + healthy.received().size()
                                + " hung blocked="
                                + hung.blocked(),
                () -> healthy.received().size() == 2 && hung.blocked() == 1);
        assertEquals(1, hung.received().size());
        assertEquals(0, count("webhook-0", "sent"));
    }

    @Test
    void publishReturnsAtOnceEvenWhenEveryReceiverHangs() throws IOException {
        WebhookReceiver am = closing(WebhookReceiver.hanging());
        WebhookReceiver hook = closing(WebhookReceiver.hanging());
        WebhookReceiver pd = closing(WebhookReceiver.hanging());
        NotificationDispatcher d =
                dispatcher(
                        FAST,
                        10_000,
                        Duration.ofMillis(300),
                        alertmanager(am),
                        webhook(hook),
                        pagerduty(pd));

        assertTimeoutPreemptively(
                Duration.ofSeconds(1),
                () -> {
                    for (int i = 0; i < 1000; i++) d.publish(firing("app-" + i), Transition.FIRING);
                });
        Await.until(
                WAIT,
                "every receiver holding a request",
                () -> am.blocked() == 1 && hook.blocked() == 1 && pd.blocked() == 1);

        assertTimeout(
                Duration.ofSeconds(3), d::close, "close() is bounded even with hung receivers");
        for (String receiver : List.of("alertmanager-0", "webhook-1", "pagerduty-2")) {
            assertEquals(
                    999,
                    count(receiver, "dropped"),
                    receiver + ": what was still queued at shutdown");
            Await.until(
                    WAIT,
                    receiver + ": the request in flight at shutdown counted failed",
                    () -> count(receiver, "failed") == 1);
        }
    }

    @Test
    void aFullQueueDropsTheOldest() throws IOException {
        WebhookReceiver hung = closing(WebhookReceiver.hanging());
        NotificationDispatcher d = dispatcher(FAST, 2, Duration.ofMillis(300), webhook(hung));

        d.publish(firing("first"), Transition.FIRING);
        Await.until(WAIT, "first request in flight", () -> hung.blocked() == 1);
        for (int i = 0; i < 5; i++) d.publish(firing("later-" + i), Transition.FIRING);

        assertEquals(3, count("webhook-0", "dropped"));
    }

    @Test
    void repeatsGoOnlyToAlertmanager() throws IOException {
        WebhookReceiver am = closing(WebhookReceiver.answering(200));
        WebhookReceiver hook = closing(WebhookReceiver.answering(200));
        WebhookReceiver pd = closing(WebhookReceiver.answering(202));
        NotificationDispatcher d = dispatcher(alertmanager(am), webhook(hook), pagerduty(pd));
        Alert alert = TestAlerts.firing("StreamingAppStalled", "orders", "critical");

        d.publish(alert, Transition.FIRING);
        d.publish(alert, Transition.REPEAT);
        d.publish(TestAlerts.resolved(alert, TestAlerts.ENDS_AT), Transition.RESOLVED);

        // Each queue is served in order: once RESOLVED arrived, a REPEAT would already have.
        Await.until(
                WAIT,
                "all three receivers got the resolve",
                () ->
                        am.received().size() == 3
                                && hook.received().size() == 2
                                && pd.received().size() == 2);
        assertEquals(
                List.of("firing", "resolved"),
                hook.received().stream().map(r -> r.json().get("status").asText()).toList());
        assertEquals(
                List.of("trigger", "resolve"),
                pd.received().stream().map(r -> r.json().get("event_action").asText()).toList());
        assertTrue(am.received().stream().allMatch(r -> r.path().equals("/api/v2/alerts")));
        assertEquals(
                "2024-05-01T10:09:00.000Z", am.received().get(1).json().at("/0/endsAt").asText());
        assertEquals(
                "2024-05-01T10:07:30.000Z", am.received().get(2).json().at("/0/endsAt").asText());
    }

    @Test
    void outcomesAreExposedAsStreamwatchNotificationsTotal() throws IOException {
        WebhookReceiver hook = closing(WebhookReceiver.answering(200));
        WebhookReceiver pd = closing(WebhookReceiver.answering(202));
        NotificationDispatcher d = dispatcher(webhook(hook), pagerduty(pd));
        assertEquals(List.of("webhook-0", "pagerduty-1"), d.receiverNames());

        d.publish(firing("orders"), Transition.FIRING);

        Await.until(
                WAIT,
                "sent",
                () -> count("pagerduty-1", "sent") == 1 && count("webhook-0", "sent") == 1);
        String scrape = metrics.scrape();
        assertTrue(
                scrape.contains(
                        "streamwatch_notifications_total{receiver=\"webhook-0\",result=\"sent\"} 1.0"),
                scrape);
        assertTrue(
                scrape.contains(
                        "streamwatch_notifications_total{receiver=\"pagerduty-1\",result=\"dropped\"} 0.0"),
                scrape);
    }

    @Test
    void theRoutingKeyNeverReachesALogLine() throws IOException {
        WebhookReceiver echoing =
                closing(
                        WebhookReceiver.responding(
                                i ->
                                        new WebhookReceiver.Reply(
                                                400,
                                                "{\"status\":\"invalid event\",\"message\":\"unknown routing key "
                                                        + KEY
                                                        + "\"}")));
        WebhookReceiver failing =
                closing(
                        WebhookReceiver.responding(
                                i -> new WebhookReceiver.Reply(503, "{\"echo\":\"" + KEY + "\"}")));
        RetryPolicy twoAttempts =
                new RetryPolicy(
                        Duration.ofMillis(10), Duration.ofMillis(20), 2, Duration.ofSeconds(10));
        try (CapturedLogs logs = new CapturedLogs("io.streamwatch.service.notify")) {
            NotificationDispatcher d =
                    dispatcher(
                            twoAttempts,
                            100,
                            Duration.ofMillis(500),
                            pagerduty(echoing),
                            pagerduty(failing));

            d.publish(firing("orders"), Transition.FIRING);

            Await.until(
                    WAIT,
                    "rejected and failed",
                    () ->
                            count("pagerduty-0", "rejected") == 1
                                    && count("pagerduty-1", "failed") == 1);
            Await.until(
                    WAIT,
                    () -> "both outcomes logged: " + logs.lines(),
                    () -> logs.any("rejected") && logs.any("gave up"));
            assertTrue(logs.any("<routing key>"), logs.lines().toString());
            logs.lines().forEach(line -> assertFalse(line.contains(KEY), line));
            assertFalse(d.toString().contains(KEY), d.toString());
        }
    }
}
