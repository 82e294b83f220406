package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the service in the middle of a run, with a real Spark app shipping and an alert
 * firing: after a restart on the same port and storage, every batch Spark completed is in the
 * history exactly once, the alert is not paged again, and its resolve is still delivered.
 */
class DurabilityIT {
    private static final String TOKEN = "durability-token-" + System.nanoTime();
    private static final String APP = "durable app";
    private static final String SLOW = "StreamingBatchTooSlow";

    private static int completed(ServiceProcess s) {
        try {
            return s.batches(APP, 1000).size();
        } catch (IllegalStateException unknownYet) {
            return 0;
        }
    }

    private static boolean delivered(ServiceProcess s) {
        String m = s.metrics();
        return ServiceProcess.sample(m, "streamwatch_notifications_total", "result=\"sent\"") >= 1
                && ServiceProcess.sample(m, "streamwatch_notify_outbox_entries", null) == 0;
    }

    @Test
    void killDashNineLosesNoBatchDuplicatesNoneAndDoesNotPageTwice() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-durability");
        try (WebhookReceiver hook = WebhookReceiver.start()) {
            String yaml =
                    "alerting: { appDownAfter: 60s, receivers: [ { type: webhook, url: \""
                            + hook.url()
                            + "\" } ] }\n";
            ServiceProcess first = ServiceProcess.in(dir).token(TOKEN).port(0).yaml(yaml).start();
            int port = first.port();
            SparkBatchRecorder oracle = new SparkBatchRecorder();
            Set<Long> acknowledged = new TreeSet<>();
            StreamingDriver.processingMs.set(1500);
            JavaStreamingContext ssc =
                    StreamingDriver.start(StreamingDriver.conf(APP, first.url(), TOKEN));
            ssc.sparkContext().sc().addSparkListener(oracle);
            ServiceProcess second = null;
            try {
                Await.until(
                        Duration.ofSeconds(90),
                        "the overload to page; got " + hook.alerts(),
                        () -> hook.has(APP, SLOW, "firing"));
                // Delivery is at least once: a kill -9 after the webhook took the page but before
                // the service removed it from its outbox sends it again after the restart. What
                // this test holds the service to is the alert's state: once the page is known
                // delivered, a restart must not page again.
                Await.until(
                        Duration.ofSeconds(30),
                        "the first service to record the page as delivered",
                        () -> delivered(first));
                // Acknowledged by the first service: these must come back from storage.dir, not
                // from Spark's REST API.
                for (JsonNode b : first.batches(APP, 1000))
                    acknowledged.add(b.get("batchTime").asLong());
                first.kill();
                int atKill = oracle.completed.size();
                Await.until(
                        Duration.ofSeconds(60),
                        "Spark to complete batches while the service is dead",
                        () -> oracle.completed.size() >= atKill + 3);

                second = ServiceProcess.in(dir).token(TOKEN).port(port).yaml(yaml).start();
                ServiceProcess restarted = second;
                Await.until(
                        Duration.ofSeconds(60),
                        "the restarted service to catch up",
                        () -> completed(restarted) >= oracle.completed.size());
                StreamingDriver.processingMs.set(50);
                Await.until(
                        Duration.ofSeconds(90),
                        "the resolve from the restarted service; got " + hook.alerts(),
                        () -> hook.has(APP, SLOW, "resolved"));
            } catch (Throwable t) {
                if (second != null) second.close();
                first.close();
                throw t;
            } finally {
                ssc.stop(true, true);
            }
            ServiceProcess restarted = second;
            try {
                Await.until(
                        Duration.ofSeconds(30),
                        "the final batches and the app's end",
                        () ->
                                "finished"
                                                .equals(
                                                        restarted
                                                                .json(
                                                                        "/api/v1/apps/"
                                                                                + ServiceProcess
                                                                                        .encode(
                                                                                                APP))
                                                                .path("state")
                                                                .asText())
                                        && completed(restarted) == oracle.completed.size());
                assertRestoredExactly(restarted, oracle, acknowledged, hook);
            } finally {
                restarted.close();
            }
        }
    }

    private static void assertRestoredExactly(
            ServiceProcess restarted,
            SparkBatchRecorder oracle,
            Set<Long> acknowledged,
            WebhookReceiver hook) {
        Map<Long, JsonNode> history = new HashMap<>();
        for (JsonNode b : restarted.batches(APP, 1000)) {
            assertNull(
                    history.put(b.get("batchTime").asLong(), b),
                    "batch " + b.get("batchTime") + " appears twice");
        }
        Set<Long> spark = new TreeSet<>();
        for (BatchInfo b : oracle.completed) spark.add(b.batchTime().milliseconds());
        assertEquals(
                spark,
                new TreeSet<>(history.keySet()),
                "exactly the batches Spark completed, before, during and after the kill");
        for (BatchInfo b : oracle.completed) {
            JsonNode h = history.get(b.batchTime().milliseconds());
            assertEquals(
                    (long) (Long) b.processingDelay().get(), h.get("processingTimeMs").asLong());
            assertEquals(b.numRecords(), h.get("records").asLong());
        }
        assertTrue(acknowledged.size() >= 3, "batches before the kill: " + acknowledged);
        for (long t : acknowledged) {
            assertEquals(
                    false,
                    history.get(t).get("backfilled").asBoolean(),
                    "batch "
                            + t
                            + " was acknowledged before the kill, so it must have been restored from storage");
        }
        long firing =
                hook.alerts(APP).stream()
                        .filter(n -> n.alertname().equals(SLOW) && n.status().equals("firing"))
                        .count();
        long resolved =
                hook.alerts(APP).stream()
                        .filter(n -> n.alertname().equals(SLOW) && n.status().equals("resolved"))
                        .count();
        assertEquals(1, firing, "paged once, not again after the restart: " + hook.alerts());
        assertEquals(1, resolved, hook.alerts().toString());
        assertTrue(
                restarted.log().contains("restored"),
                "the second service restored state from storage.dir");
    }
}
