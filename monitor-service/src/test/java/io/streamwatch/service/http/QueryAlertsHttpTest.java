package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real service on loopback with a webhook receiver: a Structured Streaming query made slow, then
 * fast, pages and resolves with its {@code query} label, and the alerts API shows which query.
 */
class QueryAlertsHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aQueryMadeSlowThenFastPagesTheWebhookFiringThenResolvedWithItsQueryLabel()
            throws Exception {
        try (WebhookReceiver hook = WebhookReceiver.start()) {
            Path config =
                    ServiceHttpTest.tempDir("query-alerts-config").resolve("streamwatch.yaml");
            Files.writeString(
                    config,
                    "alerting:\n  receivers:\n    - { type: webhook, url: \""
                            + hook.url()
                            + "\" }\n",
                    StandardCharsets.UTF_8);
            MutableClock clock = MutableClock.atSystemTime();
            try (LoopbackService svc =
                    LoopbackService.start("query-alerts", config, Map.of(), clock)) {
                long t = clock.millis();
                Events slow =
                        Events.from("orders", "app-1")
                                .heartbeat(t)
                                .queryStarted(
                                        t, "id-1", "run-1", "enrich", "processingTime", 1000L);
                for (int i = 0; i < 3; i++)
                    slow.queryProgress(
                            t + i * 1000, "id-1", "run-1", "enrich", i, t + i * 1000, 10, 1800);
                assertEquals(200, svc.ingest(slow).status());

                WebhookReceiver.Alert firing =
                        Await.result(
                                WAIT,
                                "a firing StreamingBatchTooSlow for query enrich",
                                () ->
                                        hook.firstFiring(
                                                        "/hook",
                                                        "StreamingBatchTooSlow",
                                                        "query",
                                                        "enrich")
                                                .orElse(null));
                assertEquals(
                        Map.of(
                                "alertname", "StreamingBatchTooSlow",
                                "app", "orders",
                                "query", "enrich",
                                "severity", "warning"),
                        firing.labels());
                assertEquals(
                        "micro-batch 1.8 s > trigger interval 1.0 s for 3 micro-batches",
                        firing.summary());
                assertTrue(
                        firing.annotations().get("query_url").endsWith("/apps/orders#query-enrich"),
                        firing.annotations().toString());
                assertTrue(
                        firing.annotations().get("api_url").endsWith("/api/v1/apps/orders/queries"),
                        firing.annotations().toString());
                assertTrue(
                        firing.annotations()
                                .get("runbook_url")
                                .endsWith("/runbook#streamingbatchtooslow"),
                        firing.annotations().toString());
                assertEquals(
                        "streamwatch/StreamingBatchTooSlow/orders?query=enrich",
                        firing.body().get("groupKey").asText());
                System.out.println("webhook body (firing): " + firing.body());

                JsonNode alerts =
                        svc.get("/api/v1/alerts?state=firing", LoopbackService.READER).json();
                JsonNode item = alerts.isArray() ? alerts.get(0) : alerts.path("alerts").get(0);
                assertEquals("enrich", item.get("query").asText(), alerts.toString());
                assertEquals("orders", item.get("app").asText(), alerts.toString());

                long t2 = t + 3000;
                Events fast = Events.from("orders", "app-1").startingAt(5);
                for (int i = 0; i < 3; i++)
                    fast.queryProgress(
                            t2 + i * 1000,
                            "id-1",
                            "run-1",
                            "enrich",
                            3 + i,
                            t2 + i * 1000,
                            10,
                            200);
                assertEquals(200, svc.ingest(fast).status());
                Await.until(
                        WAIT,
                        () -> "resolved StreamingBatchTooSlow for enrich; got " + hook.alerts(),
                        () ->
                                hook.alerts().stream()
                                        .anyMatch(
                                                a ->
                                                        a.status().equals("resolved")
                                                                && a.label("query")
                                                                        .equals("enrich")));
                List<WebhookReceiver.Alert> forQuery =
                        hook.alerts().stream()
                                .filter(a -> a.label("query").equals("enrich"))
                                .toList();
                assertEquals(
                        List.of("firing", "resolved"),
                        forQuery.stream().map(WebhookReceiver.Alert::status).toList(),
                        forQuery.toString());
                assertEquals(firing.labels(), forQuery.get(1).labels());
                System.out.println("webhook body (resolved): " + forQuery.get(1).body());
            }
        }
    }

    @Test
    void aFiringQueryAlertOutlivesARestartOfTheServiceAndResolvesOnce() throws Exception {
        try (WebhookReceiver hook = WebhookReceiver.start()) {
            Path config =
                    ServiceHttpTest.tempDir("query-restart-config").resolve("streamwatch.yaml");
            Files.writeString(
                    config,
                    "alerting:\n  receivers:\n    - { type: webhook, url: \""
                            + hook.url()
                            + "\" }\n",
                    StandardCharsets.UTF_8);
            Map<String, String> storage =
                    Map.of(
                            "STREAMWATCH_STORAGE_DIR",
                            ServiceHttpTest.tempDir("query-restart").toString());
            MutableClock clock = MutableClock.atSystemTime();
            long t = clock.millis();
            try (LoopbackService svc =
                    LoopbackService.start("query-restart", config, storage, clock)) {
                Events slow =
                        Events.from("orders", "app-1")
                                .heartbeat(t)
                                .queryStarted(
                                        t, "id-1", "run-1", "enrich", "processingTime", 1000L);
                for (int i = 0; i < 3; i++)
                    slow.queryProgress(
                            t + i * 1000, "id-1", "run-1", "enrich", i, t + i * 1000, 10, 1800);
                assertEquals(200, svc.ingest(slow).status());
                Await.until(
                        WAIT,
                        "the firing page",
                        () ->
                                hook.firstFiring(
                                                "/hook", "StreamingBatchTooSlow", "query", "enrich")
                                        .isPresent());
            }
            try (LoopbackService again =
                    LoopbackService.start("query-restart", config, storage, clock)) {
                JsonNode firing =
                        again.get("/api/v1/alerts?state=firing", LoopbackService.READER).json();
                assertEquals(1, firing.path("alerts").size(), firing.toString());
                assertEquals("enrich", firing.path("alerts").get(0).get("query").asText());
                assertEquals("orders", firing.path("alerts").get(0).get("app").asText());

                Events fast = Events.from("orders", "app-1").startingAt(5).heartbeat(t + 3000);
                for (int i = 0; i < 3; i++)
                    fast.queryProgress(
                            t + 3000 + i * 1000,
                            "id-1",
                            "run-1",
                            "enrich",
                            3 + i,
                            t + 3000 + i * 1000,
                            10,
                            200);
                assertEquals(200, again.ingest(fast).status());
                Await.until(
                        WAIT,
                        () -> "the resolve after the restart; got " + hook.alerts(),
                        () -> hook.has("orders", "StreamingBatchTooSlow", "resolved"));
                assertEquals(
                        List.of("firing", "resolved"),
                        hook.alerts("orders").stream().map(WebhookReceiver.Alert::status).toList(),
                        "the restored alert is not paged again");
                assertEquals("enrich", hook.alerts("orders").get(1).label("query"));
            }
        }
    }
}
