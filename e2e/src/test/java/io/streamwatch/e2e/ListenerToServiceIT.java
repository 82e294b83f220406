package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Promtool;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.spark.TickingReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.OutputOperationInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * The core path for real: a local Spark Streaming app with receiver input and 1 s batches, one of
 * whose output operations fails, with the listener attached only through spark.extraListeners,
 * shipping to the service jar running in its own JVM. Spark's own BatchInfo is the oracle.
 */
class ListenerToServiceIT {
    private static final String APP = "e2e receiver app ü";
    private static final String TOKEN = "e2e-token-" + System.nanoTime();
    private static final AtomicInteger OUTPUTS = new AtomicInteger();

    private static ServiceProcess service;
    private static final SparkBatchRecorder oracle = new SparkBatchRecorder();
    private static String appId;
    private static String uiUrl;

    @BeforeAll
    static void runASparkStreamingAppAgainstTheService() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-e2e");
        service = ServiceProcess.start(dir, TOKEN, "");
        SparkConf conf =
                new SparkConf()
                        .setMaster("local[2]")
                        .setAppName("streamwatch-e2e")
                        .set("spark.ui.port", "0")
                        .set("spark.driver.host", "127.0.0.1")
                        .set("spark.driver.bindAddress", "127.0.0.1")
                        // The only two lines an operator adds (plus the jar on the classpath):
                        .set("spark.extraListeners", "io.streamwatch.listener.StreamwatchListener")
                        .set("spark.streamwatch.url", service.url())
                        .set("spark.streamwatch.token", TOKEN)
                        .set("spark.streamwatch.app", APP);
        JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.seconds(1));
        ssc.sparkContext().sc().addSparkListener(oracle);
        appId = ssc.sparkContext().sc().applicationId();
        uiUrl = ssc.sparkContext().sc().uiWebUrl().get();
        ssc.receiverStream(new TickingReceiver(20))
                .foreachRDD(
                        (rdd, time) -> {
                            long n = rdd.count();
                            if (n > 0 && OUTPUTS.incrementAndGet() == 3) {
                                throw new IllegalStateException("planned failure in batch " + time);
                            }
                        });
        ssc.start();
        try {
            Await.until(
                    Duration.ofSeconds(90),
                    "8 completed batches",
                    () -> oracle.completed.size() >= 8);
        } finally {
            ssc.stop(true, false);
        }
        Await.until(
                Duration.ofSeconds(30),
                "the app to be reported finished",
                () ->
                        "finished"
                                .equals(
                                        service.json("/api/v1/apps/" + ServiceProcess.encode(APP))
                                                .path("state")
                                                .asText()));
    }

    @AfterAll
    static void stopService() {
        if (service != null) service.close();
    }

    private static long ms(scala.Option<Object> o) {
        return (Long) o.get();
    }

    private static String failureOf(BatchInfo b) {
        for (OutputOperationInfo op :
                JavaConverters.asJavaCollection(b.outputOperationInfos().values())) {
            if (op.failureReason().isDefined()) return op.failureReason().get();
        }
        return null;
    }

    @Test
    void everyBatchSparkCompletedIsInTheHistoryExactlyOnceWithSparksOwnNumbers() {
        JsonNode batches = service.batches(APP, 1000);
        List<BatchInfo> spark = oracle.completed;
        assertTrue(spark.size() >= 8);
        assertEquals(spark.size(), batches.size(), "one history entry per batch Spark completed");

        Map<Long, JsonNode> byTime = new HashMap<>();
        for (JsonNode b : batches) {
            assertNull(
                    byTime.put(b.get("batchTime").asLong(), b),
                    "batch " + b.get("batchTime") + " appears twice");
        }
        int failures = 0;
        for (BatchInfo s : spark) {
            long t = s.batchTime().milliseconds();
            JsonNode b = byTime.get(t);
            assertNotNull(b, "batch " + t + " completed in Spark but is missing from the service");
            assertEquals(appId, b.get("appId").asText());
            assertEquals(
                    s.submissionTime(), b.get("submissionTime").asLong(), "submissionTime of " + t);
            assertEquals(
                    ms(s.processingStartTime()),
                    b.get("processingStartTime").asLong(),
                    "processingStartTime of " + t);
            assertEquals(
                    ms(s.processingEndTime()),
                    b.get("processingEndTime").asLong(),
                    "processingEndTime of " + t);
            assertEquals(
                    ms(s.schedulingDelay()),
                    b.get("schedulingDelayMs").asLong(),
                    "schedulingDelay of " + t);
            assertEquals(
                    ms(s.processingDelay()),
                    b.get("processingTimeMs").asLong(),
                    "processingDelay of " + t);
            assertEquals(ms(s.totalDelay()), b.get("totalDelayMs").asLong(), "totalDelay of " + t);
            assertEquals(s.numRecords(), b.get("records").asLong(), "numRecords of " + t);
            String reason = failureOf(s);
            assertEquals(reason != null, b.get("failed").asBoolean(), "failed flag of " + t);
            if (reason != null) {
                failures++;
                assertTrue(
                        b.get("failureReason").asText().contains("planned failure in batch"),
                        b.get("failureReason").asText());
            } else {
                assertTrue(b.get("failureReason").isNull());
            }
        }
        assertEquals(1, failures, "exactly the one planned output failure");
        assertTrue(
                spark.stream().mapToLong(BatchInfo::numRecords).sum() > 0,
                "the receiver's records were counted");
    }

    @Test
    void batchesAreServedNewestFirst() {
        JsonNode batches = service.batches(APP, 1000);
        for (int i = 1; i < batches.size(); i++) {
            assertTrue(
                    batches.get(i - 1).get("batchTime").asLong()
                            > batches.get(i).get("batchTime").asLong());
        }
    }

    @Test
    void theAppIsIdentifiedWithSparksOwnIds() {
        JsonNode app = service.json("/api/v1/apps/" + ServiceProcess.encode(APP));
        assertEquals(APP, app.get("app").asText());
        assertEquals(appId, app.get("appId").asText());
        assertEquals(uiUrl, app.get("uiUrl").asText());
        assertEquals(
                org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                app.get("sparkVersion").asText());
        assertEquals(1000, app.get("batchIntervalMs").asLong());
        assertEquals("finished", app.get("state").asText());
        JsonNode receivers = app.get("receivers");
        assertEquals(1, receivers.size(), receivers.toString());
        assertEquals(0, receivers.get(0).get("streamId").asInt());
        assertEquals(0, app.get("listener").get("eventsDropped").asLong());
        assertEquals(0, app.get("listener").get("eventsLost").asLong());
        JsonNode list = service.json("/api/v1/apps").get("apps");
        assertTrue(list.toString().contains(appId));
    }

    @Test
    void metricsAgreeWithSparksBatchInfo() {
        String m = service.metrics();
        List<BatchInfo> spark = oracle.completed;
        BatchInfo last =
                spark.stream()
                        .max(
                                (a, b) ->
                                        Long.compare(
                                                a.batchTime().milliseconds(),
                                                b.batchTime().milliseconds()))
                        .get();
        long failed = spark.stream().filter(b -> failureOf(b) != null).count();
        long records = spark.stream().mapToLong(BatchInfo::numRecords).sum();

        assertEquals(spark.size(), sample(m, "spark_streaming_batches_completed_total"));
        assertEquals(failed, sample(m, "spark_streaming_batches_failed_total"));
        assertEquals(records, sample(m, "spark_streaming_records_total"));
        assertEquals(
                spark.size(), sample(m, "spark_streaming_batch_processing_time_seconds_count"));
        assertEquals(spark.size(), sample(m, "spark_streaming_batch_total_delay_seconds_count"));
        assertEquals(1.0, sample(m, "spark_streaming_batch_interval_seconds"));
        assertEquals(
                last.batchTime().milliseconds() / 1000.0,
                sample(m, "spark_streaming_last_batch_time_seconds"),
                1e-3);
        assertEquals(
                ms(last.processingDelay()) / 1000.0,
                sample(m, "spark_streaming_last_batch_processing_time_seconds"),
                1e-9);
        assertEquals(
                ms(last.schedulingDelay()) / 1000.0,
                sample(m, "spark_streaming_last_batch_scheduling_delay_seconds"),
                1e-9);
        assertEquals(
                ms(last.totalDelay()) / 1000.0,
                sample(m, "spark_streaming_last_batch_total_delay_seconds"),
                1e-9);
        assertEquals(last.numRecords(), sample(m, "spark_streaming_last_batch_records"));
        assertEquals(
                last.numRecords() / 1.0,
                sample(m, "spark_streaming_input_rate_records_per_second"),
                1e-9);
        double sumProcessing =
                spark.stream().mapToLong(b -> ms(b.processingDelay())).sum() / 1000.0;
        assertEquals(
                sumProcessing,
                sample(m, "spark_streaming_batch_processing_time_seconds_sum"),
                1e-6);
        assertEquals(0.0, sample(m, "spark_streaming_app_up"), "a finished app is not up");
        assertEquals(0.0, sample(m, "spark_streaming_app_restarts_total"));
        assertEquals(0.0, sample(m, "spark_streaming_waiting_batches"));
        assertEquals(
                0.0, sample(m, "spark_streaming_receivers_active"), "receivers stop with the app");
        assertTrue(
                m.contains(
                        "spark_streaming_app_info{app=\""
                                + APP
                                + "\",app_id=\""
                                + appId
                                + "\",spark_version=\""
                                + org.apache.spark.package$.MODULE$.SPARK_VERSION()
                                + "\",ui_url=\""
                                + uiUrl
                                + "\"} 1"),
                m);
        Set<String> labelled = new HashSet<>();
        Matcher lines = Pattern.compile("(?m)^(spark_streaming_[a-z_]+)\\{([^}]*)}").matcher(m);
        while (lines.find()) {
            if (!lines.group(1).equals("spark_streaming_app_info")) {
                assertFalse(
                        lines.group(2).contains(appId),
                        "no app id in the labels of " + lines.group(1));
            }
            labelled.add(lines.group(1));
        }
        assertTrue(labelled.size() >= 20, labelled.toString());
    }

    @Test
    void promtoolAcceptsTheExposition() throws Exception {
        Promtool.Result r = Promtool.checkMetrics(service.metrics());
        assertEquals(0, r.exitCode(), r.output());
    }

    /** The value of {@code name{app="APP"...}}. */
    private static double sample(String metrics, String name) {
        Matcher m =
                Pattern.compile(
                                "(?m)^"
                                        + Pattern.quote(name)
                                        + "\\{app=\""
                                        + Pattern.quote(APP)
                                        + "\"[^}]*} (\\S+)$")
                        .matcher(metrics);
        assertTrue(m.find(), () -> name + " missing for " + APP);
        return Double.parseDouble(m.group(1));
    }
}
