package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Http;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.spark.TickingReceiver;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service's Spark REST poller against real local Spark drivers' UIs: an app known only from
 * {@code spark.targets}, a killed driver, and batches a listener lost while the service was down.
 */
class SparkRestPollerIT {
    private static final String TOKEN = "rest-poller-token-" + System.nanoTime();

    /**
     * A driver's first REST answer takes about a second (Jersey warms up): a timeout well above
     * that.
     */
    private static final String FAST_POLLS =
            "spark: { restPollInterval: 1s, requestTimeout: 3s }\n";

    private static Path dir;

    @BeforeAll
    static void dir() throws IOException {
        dir = Files.createTempDirectory("streamwatch-rest-poller");
    }

    @Test
    void aDriverWithoutTheListenerIsMonitoredFromItsRestApiAlone() throws Exception {
        String app = "rest only app";
        SparkConf conf =
                StreamingDriver.conf(app, "http://127.0.0.1:9", TOKEN)
                        .remove("spark.extraListeners");
        StreamingDriver.processingMs.set(1500); // 1.5 s of work per 1 s batch: batches queue up
        JavaStreamingContext ssc = StreamingDriver.start(conf);
        try {
            String ui = ssc.sparkContext().sc().uiWebUrl().get();
            String appId = ssc.sparkContext().sc().applicationId();
            String yaml =
                    "spark: { restPollInterval: 1s, requestTimeout: 3s, targets: [ { app: \""
                            + app
                            + "\", url: \""
                            + ui
                            + "\" } ] }\n";
            try (ServiceProcess service =
                    ServiceProcess.start(dir.resolve("static"), TOKEN, yaml)) {
                JsonNode detail =
                        Await.result(
                                Duration.ofSeconds(60),
                                "waiting batches and completed batches from REST",
                                () -> {
                                    JsonNode a =
                                            service.json(
                                                    "/api/v1/apps/" + ServiceProcess.encode(app));
                                    return a.path("waitingBatches").asInt() > 0
                                                    && service.batches(app, 1000).size() >= 2
                                            ? a
                                            : null;
                                });
                assertEquals(appId, detail.get("appId").asText());
                assertEquals(1000, detail.get("batchIntervalMs").asLong());
                assertEquals(ui, detail.get("uiUrl").asText());
                assertEquals("running", detail.get("state").asText());
                assertTrue(
                        detail.get("listener").get("instance").isNull(), "no listener: " + detail);
                JsonNode receivers = detail.get("receivers");
                assertEquals(1, receivers.size(), receivers.toString());
                assertTrue(receivers.get(0).get("active").asBoolean(), receivers.toString());

                JsonNode listed = null;
                for (JsonNode a : service.json("/api/v1/apps").get("apps"))
                    if (app.equals(a.get("app").asText())) listed = a;
                assertNotNull(listed, "listed in /api/v1/apps");
                assertEquals(1000, listed.get("batchIntervalMs").asLong());

                String metrics = service.metrics();
                assertEquals(1.0, metric(metrics, "spark_streaming_rest_up", app), metrics);
                assertTrue(metric(metrics, "spark_streaming_waiting_batches", app) > 0, metrics);
                assertTrue(
                        metrics.contains("streamwatch_rest_polls_total{result=\"ok\"}"), metrics);
                assertTrue(metrics.contains("streamwatch_rest_poll_seconds_count"), metrics);

                // Every batch in history is one Spark reports, exactly once, with Spark's numbers.
                Map<Long, JsonNode> spark = new HashMap<>();
                for (JsonNode b :
                        Http.getJson(
                                ui
                                        + "/api/v1/applications/"
                                        + appId
                                        + "/streaming/batches?status=COMPLETED")) {
                    spark.put(b.get("batchId").asLong(), b);
                }
                JsonNode history = service.batches(app, 1000);
                Set<Long> seen = new HashSet<>();
                for (JsonNode b : history) {
                    long t = b.get("batchTime").asLong();
                    assertTrue(seen.add(t), "batch " + t + " twice in " + history);
                    JsonNode s = spark.get(t);
                    assertNotNull(s, "batch " + t + " is one Spark completed");
                    assertTrue(b.get("backfilled").asBoolean(), b.toString());
                    assertEquals(appId, b.get("appId").asText());
                    assertEquals(
                            s.get("inputSize").asLong(), b.get("records").asLong(), b + " vs " + s);
                    assertEquals(
                            s.get("processingTime").asLong(),
                            b.get("processingTimeMs").asLong(),
                            b + " vs " + s);
                    assertEquals(
                            s.get("schedulingDelay").asLong(),
                            b.get("schedulingDelayMs").asLong(),
                            b + " vs " + s);
                    assertEquals(
                            t + s.get("schedulingDelay").asLong(),
                            b.get("processingStartTime").asLong());
                }
            }
        } finally {
            StreamingDriver.processingMs.set(100);
            ssc.stop(true, false);
        }
    }

    @Test
    void aKilledDriversRestGoesDownAndStreamingAppDownFires() throws Exception {
        String app = "killed app";
        Path d = dir.resolve("killed");
        try (ServiceProcess service =
                        ServiceProcess.start(
                                d, TOKEN, "alerting: { appDownAfter: 5s }\n" + FAST_POLLS);
                DriverProcess driver = DriverProcess.start(d, app, service.url(), TOKEN, 0)) {
            Await.until(
                    Duration.ofSeconds(60),
                    "rest_up 1 for the listener's UI URL",
                    () ->
                            Double.valueOf(1.0)
                                    .equals(
                                            metric(
                                                    service.metrics(),
                                                    "spark_streaming_rest_up",
                                                    app)));
            assertTrue(firing(service, app).isEmpty(), "no page while the driver runs");

            // A loaded machine may see a slow answer before the kill: that outage has its own line.
            int logBeforeKill = service.log().length();
            driver.kill();
            Await.until(
                    Duration.ofSeconds(20),
                    "rest_up 0 once the driver is gone",
                    () ->
                            Double.valueOf(0.0)
                                    .equals(
                                            metric(
                                                    service.metrics(),
                                                    "spark_streaming_rest_up",
                                                    app)));
            JsonNode down =
                    Await.result(
                            Duration.ofSeconds(30),
                            "StreamingAppDown for the killed driver",
                            () ->
                                    firing(service, app).stream()
                                            .filter(
                                                    a ->
                                                            "StreamingAppDown"
                                                                    .equals(
                                                                            a.get("alertname")
                                                                                    .asText()))
                                            .findFirst()
                                            .orElse(null));
            assertEquals("critical", down.get("severity").asText());
            assertTrue(
                    down.get("summary").asText().contains("REST API does not answer"),
                    down.toString());

            long downLines =
                    service.log()
                            .substring(logBeforeKill)
                            .lines()
                            .filter(
                                    l ->
                                            l.contains("Spark REST API of app '" + app + "'")
                                                    && l.contains("does not answer"))
                            .count();
            assertEquals(
                    1,
                    downLines,
                    "one line when REST goes down after the kill, not one per poll:\n"
                            + service.log());
            assertFalse(
                    service.log().contains("\tat io.streamwatch.service.poll"),
                    "no stack traces from polls");
        }
    }

    @Test
    void batchesTheListenerLostWhileTheServiceWasDownAreBackfilledExactlyOnce() throws Exception {
        String app = "gap app";
        Path d = dir.resolve("gap");
        ServiceProcess first = ServiceProcess.start(d.resolve("first"), TOKEN, FAST_POLLS);
        int port = URI.create(first.url()).getPort();
        SparkBatchRecorder oracle = new SparkBatchRecorder();
        SparkConf conf =
                StreamingDriver.conf(app, first.url(), TOKEN)
                        .set("spark.streamwatch.bufferSize", "3")
                        .set("spark.streamwatch.flushIntervalMs", "100");
        JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.seconds(1));
        ssc.sparkContext().sc().addSparkListener(oracle);
        ssc.receiverStream(new TickingReceiver(5))
                .foreachRDD(
                        rdd -> {
                            rdd.count();
                        });
        ssc.start();
        ServiceProcess second = null;
        try {
            Await.until(
                    Duration.ofSeconds(60),
                    "3 batches at the first service",
                    () -> first.batches(app, 1000).size() >= 3);
            Set<Long> deliveredToFirst = times(first.batches(app, 1000));
            first.close();

            Set<Long> beforeOutage = times(oracle.completed);
            Await.until(
                    Duration.ofSeconds(30),
                    "8 batches while no service runs",
                    () -> oracle.completed.size() >= beforeOutage.size() + 8);
            List<Long> outage = new ArrayList<>(times(oracle.completed));
            outage.removeAll(beforeOutage);

            ServiceProcess s =
                    second =
                            ServiceProcess.in(d.resolve("second"))
                                    .token(TOKEN)
                                    .port(port)
                                    .yaml(FAST_POLLS)
                                    .start();
            Set<Long> completedSoFar = times(oracle.completed);
            Await.until(
                    Duration.ofSeconds(60),
                    "every batch Spark completed so far in the new service's history",
                    () -> times(s.batches(app, 1000)).containsAll(completedSoFar));
            ssc.stop(true, true);
            Set<Long> all = times(oracle.completed);
            Await.until(
                    Duration.ofSeconds(30),
                    "the final batches",
                    () -> times(s.batches(app, 1000)).containsAll(all));

            JsonNode history = s.batches(app, 1000);
            List<Long> listed = new ArrayList<>();
            history.forEach(b -> listed.add(b.get("batchTime").asLong()));
            assertEquals(listed.size(), new HashSet<>(listed).size(), "each batch once: " + listed);
            assertEquals(all, new TreeSet<>(listed), "exactly the batches Spark completed");

            Map<Long, BatchInfo> spark =
                    oracle.completed.stream()
                            .collect(
                                    Collectors.toMap(
                                            b -> b.batchTime().milliseconds(),
                                            b -> b,
                                            (a, b) -> a));
            Set<Long> backfilled = new TreeSet<>();
            for (JsonNode b : history) {
                if (!b.get("backfilled").asBoolean()) continue;
                long t = b.get("batchTime").asLong();
                backfilled.add(t);
                BatchInfo info = spark.get(t);
                assertEquals(info.numRecords(), b.get("records").asLong(), b.toString());
                assertEquals(
                        (long) (Long) info.processingDelay().get(),
                        b.get("processingTimeMs").asLong(),
                        b.toString());
                assertEquals(
                        (long) (Long) info.schedulingDelay().get(),
                        b.get("schedulingDelayMs").asLong(),
                        b.toString());
            }
            assertTrue(
                    backfilled.containsAll(deliveredToFirst),
                    "batches only the first service received come from REST: "
                            + deliveredToFirst
                            + " vs "
                            + backfilled);
            long backfilledOfOutage = outage.stream().filter(backfilled::contains).count();
            assertTrue(
                    backfilledOfOutage >= outage.size() - 4,
                    "a 3-event buffer keeps at most a batch or two of the outage; the rest are backfilled: outage "
                            + outage
                            + ", backfilled "
                            + backfilled);
            JsonNode detail = s.json("/api/v1/apps/" + ServiceProcess.encode(app));
            assertTrue(
                    detail.get("listener").get("eventsLost").asLong() > 0,
                    "the new service saw the gap: " + detail);
        } finally {
            ssc.stop(true, false);
            first.close();
            if (second != null) second.close();
        }
    }

    private static Set<Long> times(JsonNode batches) {
        Set<Long> out = new TreeSet<>();
        batches.forEach(b -> out.add(b.get("batchTime").asLong()));
        return out;
    }

    private static Set<Long> times(List<BatchInfo> batches) {
        Set<Long> out = new TreeSet<>();
        for (BatchInfo b : batches) out.add(b.batchTime().milliseconds());
        return out;
    }

    private static List<JsonNode> firing(ServiceProcess service, String app) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : service.json("/api/v1/alerts?state=firing").get("alerts")) {
            if (app.equals(a.path("app").asText())) out.add(a);
        }
        return out;
    }

    /** The value of {@code name{app="APP"}} in a Prometheus text scrape, or null when absent. */
    static Double metric(String scrape, String name, String app) {
        String prefix = name + "{app=\"" + app + "\"} ";
        for (String line : scrape.split("\n")) {
            if (line.startsWith(prefix))
                return Double.valueOf(line.substring(prefix.length()).trim().split(" ")[0]);
        }
        return null;
    }
}
