package io.streamwatch.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real local Structured Streaming queries in one shared SparkSession, the listener attached only by
 * {@code spark.extraListeners}, shipping to a {@link FakeService}: what arrives must be what Spark
 * reported.
 */
class StructuredStreamingTest {
    private static final long WAIT_MS = 90_000;

    @TempDir static Path tmp;

    private static FakeService service;
    private static SparkSession spark;

    /** What Spark's own StreamingQueryListener bus says about terminated runs. */
    private static final Map<String, StreamingQueryListener.QueryTerminatedEvent> terminated =
            new ConcurrentHashMap<>();

    @BeforeAll
    static void startSpark() throws Exception {
        service = FakeService.start();
        spark =
                SparkSession.builder()
                        .master("local[2]")
                        .appName("structured-streaming-listener-test")
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.driver.bindAddress", "127.0.0.1")
                        .config("spark.ui.enabled", "false")
                        .config("spark.sql.shuffle.partitions", "1")
                        .config("spark.sql.streaming.noDataProgressEventInterval", "100")
                        .config("spark.extraListeners", StreamwatchListener.class.getName())
                        .config(ListenerConfig.URL, service.url())
                        .config(ListenerConfig.FLUSH_INTERVAL_MS, "50")
                        .getOrCreate();
        spark.streams()
                .addListener(
                        new StreamingQueryListener() {
                            @Override
                            public void onQueryStarted(QueryStartedEvent event) {}

                            @Override
                            public void onQueryProgress(QueryProgressEvent event) {}

                            @Override
                            public void onQueryTerminated(QueryTerminatedEvent event) {
                                terminated.put(event.runId().toString(), event);
                            }
                        });
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
        if (service != null) {
            service.close();
        }
    }

    private static VoidFunction2<Dataset<Row>, Long> counting() {
        return (batch, id) -> batch.count();
    }

    private static String checkpoint(String name) {
        return tmp.resolve("checkpoints").resolve(name).toString();
    }

    private static JsonNode await(String type, String runId) {
        Await.until(
                type + " of run " + runId,
                WAIT_MS,
                () -> !service.queryEvents(type, runId).isEmpty());
        return service.queryEvents(type, runId).get(0);
    }

    private static void show(String what, JsonNode event) {
        System.out.println("captured " + what + ": " + event);
    }

    @Test
    void aNamedProcessingTimeQueryShipsStartProgressAndTerminationWithSparksOwnNumbers()
            throws Exception {
        StreamingQuery query =
                spark.readStream()
                        .format("rate")
                        .option("rowsPerSecond", "20")
                        .load()
                        .writeStream()
                        .queryName("orders")
                        .trigger(Trigger.ProcessingTime(1000))
                        .option("checkpointLocation", checkpoint("orders"))
                        .foreachBatch(counting())
                        .start();
        String runId = query.runId().toString();
        Await.until(
                "3 progress events of the run",
                WAIT_MS,
                () -> service.queryEvents("queryProgress", runId).size() >= 3);
        query.stop();
        JsonNode end = await("queryTerminated", runId);
        StreamingQueryProgress[] spark = query.recentProgress();

        JsonNode started = service.queryEvents("queryStarted", runId).get(0);
        show("queryStarted", started);
        assertEquals(query.id().toString(), started.get("queryId").asText());
        assertEquals("orders", started.get("name").asText());
        assertEquals("processingTime", started.get("trigger").get("kind").asText());
        assertEquals(1000, started.get("trigger").get("intervalMs").asLong());
        assertTrue(started.get("timestamp").asLong() > 0);

        Map<Long, StreamingQueryProgress> byBatch = new HashMap<>();
        for (StreamingQueryProgress p : spark) {
            byBatch.put(p.batchId(), p);
        }
        List<JsonNode> shipped = service.queryEvents("queryProgress", runId);
        show("queryProgress", shipped.get(shipped.size() - 1));
        assertTrue(shipped.size() >= 3);
        List<Long> batchIds = new ArrayList<>();
        for (JsonNode event : shipped) {
            JsonNode trigger = event.get("trigger");
            assertEquals("processingTime", trigger.get("kind").asText());
            assertEquals(1000, trigger.get("intervalMs").asLong());
            JsonNode p = event.get("progress");
            long batchId = p.get("batchId").asLong();
            batchIds.add(batchId);
            StreamingQueryProgress own = byBatch.get(batchId);
            assertNotNull(own, "Spark reported batch " + batchId);
            assertEquals(own.runId().toString(), p.get("runId").asText());
            assertEquals(own.id().toString(), p.get("queryId").asText());
            assertEquals("orders", p.get("name").asText());
            assertEquals(
                    Instant.parse(own.timestamp()).toEpochMilli(), p.get("timestamp").asLong());
            assertEquals(
                    own.durationMs().get("triggerExecution").longValue(),
                    p.get("durationMs").get("triggerExecution").asLong());
            assertTrue(p.get("durationMs").has("addBatch"), "a micro-batch ran");
            assertEquals(own.numInputRows(), p.get("numInputRows").asLong());
            assertEquals(own.batchDuration(), p.get("batchDurationMs").asLong());
            JsonNode source = p.get("sources").get(0);
            assertTrue(source.get("description").asText().startsWith("RateStream"));
            assertEquals(own.sources()[0].endOffset(), source.get("endOffset").asText());
            assertEquals("ForeachBatchSink", p.get("sink").get("description").asText());
        }
        for (int i = 0; i < batchIds.size(); i++) {
            assertEquals(i, batchIds.get(i).longValue(), "each micro-batch once, in order");
        }

        show("queryTerminated (stopped)", end);
        assertEquals("orders", end.get("name").asText(), "filled in from the started event");
        assertTrue(end.get("exception").isNull());
        assertTrue(end.get("errorClass").isNull());

        List<Long> seqs = service.acceptedSeqs();
        for (int i = 1; i < seqs.size(); i++) {
            assertTrue(seqs.get(i) > seqs.get(i - 1), "one numbering for every event: " + seqs);
        }
    }

    @Test
    void aQueryWhoseBatchThrowsEndsWithTheExceptionAndSparksErrorClass() throws Exception {
        StreamingQuery query =
                spark.readStream()
                        .format("rate")
                        .load()
                        .writeStream()
                        .queryName("failing")
                        .option("checkpointLocation", checkpoint("failing"))
                        .foreachBatch(
                                (VoidFunction2<Dataset<Row>, Long>)
                                        (batch, id) -> {
                                            throw SparkException.internalError(
                                                    "boom in batch " + id);
                                        })
                        .start();
        String runId = query.runId().toString();
        try {
            query.awaitTermination(WAIT_MS);
        } catch (StreamingQueryException expected) {
            // the batch failed, as it should
        }
        JsonNode end = await("queryTerminated", runId);
        show("queryTerminated (failed)", end);
        StreamingQueryListener.QueryTerminatedEvent own = terminated.get(runId);
        assertNotNull(own, "Spark's own listener saw the end");
        assertEquals("failing", end.get("name").asText());
        String exception = end.get("exception").asText();
        assertTrue(exception.contains("boom in batch 0"), exception);
        assertEquals(EventEncoder.cut(own.exception().get(), 2048), exception);
        if (sparkHasIdleEvents()) { // 3.5+: errorClassOnException
            Object sparkErrorClass = own.getClass().getMethod("errorClassOnException").invoke(own);
            String expected =
                    ((scala.Option<?>) sparkErrorClass).isDefined()
                            ? ((scala.Option<?>) sparkErrorClass).get().toString()
                            : null;
            assertEquals("INTERNAL_ERROR", expected, "what Spark 3.5 reports for this exception");
            assertEquals(expected, end.get("errorClass").asText());
        } else {
            assertTrue(end.get("errorClass").isNull(), "Spark 3.4 has no error class");
        }
    }

    /** Spark 3.5+ posts QueryIdleEvent; 3.4 posts a progress without addBatch instead. */
    private static boolean sparkHasIdleEvents() {
        try {
            Class.forName(QueryEvents.EVENT_CLASS_PREFIX + "IdleEvent");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void aQueryWithoutDataShipsIdleEventsWithItsName() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-input"));
        StreamingQuery query =
                spark.readStream()
                        .format("text")
                        .load(empty.toString())
                        .writeStream()
                        .queryName("quiet")
                        .option("checkpointLocation", checkpoint("quiet"))
                        .foreachBatch(counting())
                        .start();
        String runId = query.runId().toString();
        try {
            if (!sparkHasIdleEvents()) {
                JsonNode noData = await("queryProgress", runId);
                show("queryProgress without data (Spark 3.4)", noData);
                assertEquals("quiet", noData.get("progress").get("name").asText());
                assertFalse(noData.get("progress").get("durationMs").has("addBatch"));
                return;
            }
            JsonNode idle = await("queryIdle", runId);
            show("queryIdle", idle);
            assertEquals(query.id().toString(), idle.get("queryId").asText());
            assertEquals("quiet", idle.get("name").asText(), "filled in from the started event");
            long now = System.currentTimeMillis();
            long timestamp = idle.get("timestamp").asLong();
            assertTrue(timestamp > now - WAIT_MS && timestamp <= now, "epoch ms: " + timestamp);
            assertTrue(service.queryEvents("queryProgress", runId).isEmpty(), "no micro-batch");
        } finally {
            query.stop();
        }
    }

    @Test
    void defaultAndAvailableNowTriggersAreNamedAsSuch() throws Exception {
        StreamingQuery fast =
                spark.readStream()
                        .format("rate")
                        .load()
                        .writeStream()
                        .queryName("as-fast-as-possible")
                        .option("checkpointLocation", checkpoint("fast"))
                        .foreachBatch(counting())
                        .start();
        JsonNode started;
        try {
            started = await("queryStarted", fast.runId().toString());
        } finally {
            fast.stop();
        }
        assertEquals("default", started.get("trigger").get("kind").asText());
        assertTrue(started.get("trigger").get("intervalMs").isNull());

        Path input = Files.createDirectories(tmp.resolve("available-now-input"));
        Files.write(input.resolve("lines.txt"), "a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        StreamingQuery once =
                spark.readStream()
                        .format("text")
                        .load(input.toString())
                        .writeStream()
                        .trigger(Trigger.AvailableNow())
                        .option("checkpointLocation", checkpoint("available-now"))
                        .foreachBatch(counting())
                        .start();
        String runId = once.runId().toString();
        assertTrue(once.awaitTermination(WAIT_MS), "an availableNow query ends by itself");
        await("queryTerminated", runId);
        JsonNode onceStarted = service.queryEvents("queryStarted", runId).get(0);
        assertTrue(onceStarted.get("name").isNull(), "an unnamed query");
        assertEquals("availableNow", onceStarted.get("trigger").get("kind").asText());
        JsonNode progress = service.queryEvents("queryProgress", runId).get(0);
        assertEquals("availableNow", progress.get("trigger").get("kind").asText());
        assertEquals(3, progress.get("progress").get("numInputRows").asLong());
    }

    @Test
    void aQueryOfASecondSessionIsShippedWithItsTrigger() throws Exception {
        SparkSession other = spark.newSession();
        StreamingQuery query =
                other.readStream()
                        .format("rate")
                        .load()
                        .writeStream()
                        .queryName("other-session")
                        .trigger(Trigger.ProcessingTime(2000))
                        .option("checkpointLocation", checkpoint("other-session"))
                        .foreachBatch(counting())
                        .start();
        String runId = query.runId().toString();
        try {
            assertFalse(
                    spark.streams().get(query.id()) != null,
                    "the default session's manager does not know it");
            JsonNode started = await("queryStarted", runId);
            JsonNode progress = await("queryProgress", runId);
            show("queryStarted (second session)", started);
            assertEquals("other-session", started.get("name").asText());
            assertEquals("processingTime", started.get("trigger").get("kind").asText());
            assertEquals(2000, started.get("trigger").get("intervalMs").asLong());
            assertEquals(0, progress.get("progress").get("batchId").asLong());
            assertEquals(2000, progress.get("trigger").get("intervalMs").asLong());
        } finally {
            query.stop();
        }
    }
}
