package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pages for real: Spark drivers with the listener attached by configuration, the service jar, and a
 * loopback webhook that receives what the service sends.
 */
class AlertingIT {
    private static final String TOKEN = "alerting-token-" + System.nanoTime();
    private static final String SLOW = "StreamingBatchTooSlow";
    private static final String DELAY = "StreamingDelayGrowing";
    private static final String DOWN = "StreamingAppDown";
    private static WebhookReceiver hook;
    private static ServiceProcess service;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("streamwatch-alerting");
        hook = WebhookReceiver.start();
        service =
                ServiceProcess.start(
                        dir,
                        TOKEN,
                        "alerting: { appDownAfter: 5s, receivers: [ { type: webhook, url: \""
                                + hook.url()
                                + "\" } ] }\n");
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
        if (hook != null) hook.close();
    }

    private static int completed(String app) {
        try {
            return service.batches(app, 1000).size();
        } catch (IllegalStateException unknownYet) {
            return 0;
        }
    }

    private static long count(String app, String alertname, String status) {
        return hook.alerts(app).stream()
                .filter(n -> n.alertname().equals(alertname) && n.status().equals(status))
                .count();
    }

    @Test
    void anOverloadedAppPagesAndRecoveryResolvesIt() {
        String app = "overloaded app";
        StreamingDriver.processingMs.set(100);
        JavaStreamingContext ssc =
                StreamingDriver.start(StreamingDriver.conf(app, service.url(), TOKEN));
        try {
            Await.until(Duration.ofSeconds(60), "3 healthy batches", () -> completed(app) >= 3);
            assertTrue(hook.alerts(app).isEmpty(), "no page while healthy: " + hook.alerts(app));

            StreamingDriver.processingMs.set(1600);
            Await.until(
                    Duration.ofSeconds(120),
                    "BatchTooSlow and DelayGrowing to fire; got " + hook.alerts(app),
                    () -> hook.has(app, SLOW, "firing") && hook.has(app, DELAY, "firing"));

            StreamingDriver.processingMs.set(50);
            Await.until(
                    Duration.ofSeconds(120),
                    "both to resolve; got " + hook.alerts(app),
                    () -> hook.has(app, SLOW, "resolved") && hook.has(app, DELAY, "resolved"));
        } finally {
            ssc.stop(true, true);
        }
        List<WebhookReceiver.Alert> notes = hook.alerts(app);
        for (String alert : List.of(SLOW, DELAY)) {
            assertEquals(
                    1, count(app, alert, "firing"), alert + " fired once, no flapping: " + notes);
            assertEquals(1, count(app, alert, "resolved"), alert + " resolved once: " + notes);
        }
        WebhookReceiver.Alert slow =
                notes.stream().filter(n -> n.alertname().equals(SLOW)).findFirst().orElseThrow();
        assertTrue(
                slow.summary().matches("processing \\d+\\.\\d s > interval 1\\.0 s for 3 batches"),
                slow.summary());
        JsonNode body = slow.body();
        assertEquals("4", body.get("version").asText());
        assertEquals("firing", body.get("status").asText());
        JsonNode alert = body.get("alerts").get(0);
        assertEquals("warning", alert.get("labels").get("severity").asText());
        assertTrue(
                alert.get("annotations")
                        .get("runbook_url")
                        .asText()
                        .endsWith("/runbook#streamingbatchtooslow"));
        assertTrue(
                service.get("/runbook").body().contains("id=\"streamingbatchtooslow\""),
                "the runbook link lands on its section");
        assertTrue(
                notes.stream().noneMatch(n -> n.alertname().equals(DOWN)),
                "a clean stop is not a page: " + notes);
        JsonNode all = service.json("/api/v1/alerts?state=all").get("alerts");
        assertTrue(all.toString().contains("\"state\":\"resolved\""), all.toString());
    }

    @Test
    void aSteadyAppThatEndsCleanlyIsNeverPaged() throws Exception {
        String app = "steady app";
        try (DriverProcess driver = DriverProcess.start(dir, app, service.url(), TOKEN, 8)) {
            assertTrue(
                    driver.process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS),
                    "the driver ends by itself");
        }
        Await.until(
                Duration.ofSeconds(30),
                "the app to be finished",
                () ->
                        "finished"
                                .equals(
                                        service.json("/api/v1/apps/" + ServiceProcess.encode(app))
                                                .path("state")
                                                .asText()));
        assertTrue(completed(app) >= 5, "it did run");
        // Past appDownAfter (5 s) with the service's 1 s timer running: still nothing.
        long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < until) {
            assertTrue(
                    hook.alerts(app).isEmpty(),
                    "pages for a healthy, cleanly ended app: " + hook.alerts(app));
            Thread.sleep(250);
        }
    }

    @Test
    void aKilledDriverPagesAppDown() throws Exception {
        String app = "doomed app";
        try (DriverProcess driver = DriverProcess.start(dir, app, service.url(), TOKEN, 0)) {
            Await.until(
                    Duration.ofSeconds(60), "batches from the driver", () -> completed(app) >= 2);
            driver.kill();
        }
        Await.until(
                Duration.ofSeconds(30),
                "StreamingAppDown for the killed driver; got " + hook.alerts(app),
                () -> hook.has(app, DOWN, "firing"));
        WebhookReceiver.Alert down =
                hook.alerts(app).stream()
                        .filter(n -> n.alertname().equals(DOWN))
                        .findFirst()
                        .orElseThrow();
        assertEquals(
                "critical",
                down.body().get("alerts").get(0).get("labels").get("severity").asText());
        assertTrue(down.summary().startsWith("no heartbeat for"), down.summary());
        JsonNode firing = service.json("/api/v1/alerts?state=firing").get("alerts");
        assertTrue(
                firing.toString().contains("\"alertname\":\"StreamingAppDown\"")
                        && firing.toString().contains(app),
                firing.toString());
    }
}
