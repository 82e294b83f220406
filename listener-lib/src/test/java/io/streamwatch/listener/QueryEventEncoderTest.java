package io.streamwatch.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.SinkProgress;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import scala.Option;

/** Spark's real query event objects, built directly, through the encoder and back. */
class QueryEventEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TS = "2026-12-01T06:00:01.250Z";
    private static final long TS_MS = 1_796_104_801_250L;

    private final UUID id = UUID.randomUUID();
    private final UUID runId = UUID.randomUUID();
    private final List<UUID> lookups = new ArrayList<>();
    private TriggerReader.Trigger trigger = new TriggerReader.Trigger("processingTime", 1000L);
    private final QueryEventEncoder encoder =
            new QueryEventEncoder(
                    new JsonFactory(),
                    (queryId, run) -> {
                        lookups.add(run);
                        return trigger;
                    });
    private long seq;

    private JsonNode encode(Object event) throws Exception {
        EncodedEvent e = encoder.encode(new QueuedEvent(++seq, 1_796_104_900_000L, event));
        return e == null ? null : JSON.readTree(e.json());
    }

    private EncodedEvent encoded(Object event) throws Exception {
        return encoder.encode(new QueuedEvent(++seq, 1_796_104_900_000L, event));
    }

    private static Map<String, String> metrics(int n, int valueChars) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(String.format("m%03d", i), repeat('7', valueChars));
        }
        return m;
    }

    private static String repeat(char c, int n) {
        char[] chars = new char[n];
        Arrays.fill(chars, c);
        return new String(chars);
    }

    private static SourceProgress source(String description, String offset, double rate) {
        return new SourceProgress(
                description, offset, offset, offset, 10, rate, rate, metrics(2, 3));
    }

    private static StateOperatorProgress operator(String name) {
        return new StateOperatorProgress(
                name, 5, 1, 0, 0, 0, 0, 1024, 2, 1, 1, new HashMap<String, Long>());
    }

    private StreamingQueryProgress progress(
            String name,
            long batchId,
            Map<String, Long> durations,
            Map<String, String> eventTime,
            StateOperatorProgress[] operators,
            SourceProgress[] sources,
            SinkProgress sink) {
        return new StreamingQueryProgress(
                id,
                runId,
                name,
                TS,
                batchId,
                812,
                durations,
                eventTime,
                operators,
                sources,
                sink,
                new HashMap<String, Row>());
    }

    private static Map<String, Long> durations() {
        Map<String, Long> d = new HashMap<>();
        d.put("triggerExecution", 812L);
        d.put("addBatch", 600L);
        return d;
    }

    @Test
    void aProgressEventCarriesSparksNumbersInTheWireShape() throws Exception {
        Map<String, String> eventTime = new HashMap<>();
        eventTime.put("watermark", "2026-12-01T05:59:50.000Z");
        eventTime.put("max", TS);
        eventTime.put("garbled", "yesterday");
        StreamingQueryProgress p =
                progress(
                        "orders",
                        3,
                        durations(),
                        eventTime,
                        new StateOperatorProgress[] {operator("stateStoreSave")},
                        new SourceProgress[] {source("RateStreamV2[x]", "14", 9.5)},
                        new SinkProgress("ForeachBatchSink", -1L, new HashMap<String, String>()));
        EncodedEvent encoded = encoded(new StreamingQueryListener.QueryProgressEvent(p));
        assertTrue(encoded.urgent(), "progress is sent at once");
        JsonNode e = JSON.readTree(encoded.json());
        assertEquals("queryProgress", e.get("type").asText());
        assertEquals(1, e.get("seq").asLong());
        assertEquals("processingTime", e.get("trigger").get("kind").asText());
        assertEquals(1000, e.get("trigger").get("intervalMs").asLong());
        JsonNode g = e.get("progress");
        assertEquals(id.toString(), g.get("queryId").asText());
        assertEquals(runId.toString(), g.get("runId").asText());
        assertEquals("orders", g.get("name").asText());
        assertEquals(TS_MS, g.get("timestamp").asLong(), "ISO timestamp as epoch ms");
        assertEquals(3, g.get("batchId").asLong());
        assertEquals(812, g.get("batchDurationMs").asLong());
        assertEquals(812, g.get("durationMs").get("triggerExecution").asLong());
        assertEquals(TS_MS - 11_250, g.get("eventTime").get("watermark").asLong());
        assertEquals(TS_MS, g.get("eventTime").get("max").asLong());
        assertFalse(g.get("eventTime").has("garbled"), "unreadable times are left out");
        assertEquals(10, g.get("numInputRows").asLong());
        assertEquals(9.5, g.get("inputRowsPerSecond").asDouble());
        JsonNode op = g.get("stateOperators").get(0);
        assertEquals("stateStoreSave", op.get("operatorName").asText());
        assertEquals(5, op.get("numRowsTotal").asLong());
        assertEquals(1024, op.get("memoryUsedBytes").asLong());
        assertEquals(2, op.get("numRowsDroppedByWatermark").asLong());
        JsonNode src = g.get("sources").get(0);
        assertEquals("14", src.get("endOffset").asText());
        assertEquals("777", src.get("metrics").get("m000").asText());
        assertEquals("ForeachBatchSink", g.get("sink").get("description").asText());
        assertTrue(g.get("sink").get("numOutputRows").isNull(), "Spark's -1 means unknown");
    }

    @Test
    void nanAndInfiniteRatesBecomeNull() throws Exception {
        for (double bad :
                new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1}) {
            StreamingQueryProgress p =
                    progress(
                            "q",
                            0,
                            durations(),
                            new HashMap<String, String>(),
                            new StateOperatorProgress[0],
                            new SourceProgress[] {source("s", "1", bad)},
                            null);
            JsonNode g = encode(new StreamingQueryListener.QueryProgressEvent(p)).get("progress");
            assertTrue(g.get("inputRowsPerSecond").isNull(), "sum of " + bad);
            assertTrue(g.get("processedRowsPerSecond").isNull());
            assertTrue(g.get("sources").get(0).get("inputRowsPerSecond").isNull());
            assertTrue(g.get("sink").isNull());
        }
    }

    @Test
    void anOffsetOverTheBoundIsSentAsNullNotCut() throws Exception {
        String atBound = repeat('1', QueryEventEncoder.MAX_OFFSET_CHARS);
        String over = atBound + "1";
        StreamingQueryProgress p =
                progress(
                        "q",
                        0,
                        durations(),
                        new HashMap<String, String>(),
                        new StateOperatorProgress[0],
                        new SourceProgress[] {source("a", atBound, 1), source("b", over, 1)},
                        null);
        JsonNode sources =
                encode(new StreamingQueryListener.QueryProgressEvent(p))
                        .get("progress")
                        .get("sources");
        assertEquals(atBound, sources.get(0).get("endOffset").asText());
        assertTrue(sources.get(1).get("startOffset").isNull());
        assertTrue(sources.get(1).get("endOffset").isNull());
        assertTrue(sources.get(1).get("latestOffset").isNull());
    }

    @Test
    void aProgressTooLargeForOneRequestLeavesOutOffsetsAndSourceMetricsButKeepsTheNumbers()
            throws Exception {
        String partitions = repeat('9', 60_000); // within the per-offset bound
        SourceProgress[] sources = new SourceProgress[10];
        Arrays.fill(sources, source("KafkaV2[Subscribe[orders]]", partitions, 4));
        StreamingQueryProgress p =
                progress(
                        "q",
                        7,
                        durations(),
                        new HashMap<String, String>(),
                        new StateOperatorProgress[0],
                        sources,
                        null);
        EncodedEvent encoded = encoded(new StreamingQueryListener.QueryProgressEvent(p));
        assertTrue(encoded.json().length() <= QueryEventEncoder.MAX_EVENT_CHARS);
        JsonNode g = JSON.readTree(encoded.json()).get("progress");
        assertEquals(7, g.get("batchId").asLong());
        assertEquals(100, g.get("numInputRows").asLong());
        assertEquals(10, g.get("sources").size());
        JsonNode source = g.get("sources").get(9);
        assertEquals(10, source.get("numInputRows").asLong());
        assertEquals(4.0, source.get("inputRowsPerSecond").asDouble());
        assertTrue(source.get("endOffset").isNull());
        assertEquals(0, source.get("metrics").size());

        sources = new SourceProgress[] {source("KafkaV2[Subscribe[orders]]", partitions, 4)};
        p =
                progress(
                        "q",
                        8,
                        durations(),
                        new HashMap<>(),
                        new StateOperatorProgress[0],
                        sources,
                        null);
        JsonNode one = encode(new StreamingQueryListener.QueryProgressEvent(p));
        assertEquals(
                partitions,
                one.get("progress").get("sources").get(0).get("endOffset").asText(),
                "one large source still fits with its offsets");
    }

    @Test
    void textsAreCutAndCollectionsCappedToTheServiceBounds() throws Exception {
        String longText = repeat('d', 5000);
        Map<String, Long> manyDurations = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            manyDurations.put(String.format("d%02d", i), (long) i);
        }
        manyDurations.put("negative", -5L);
        StateOperatorProgress[] operators = new StateOperatorProgress[150];
        Arrays.fill(operators, operator(longText));
        SourceProgress[] sources = new SourceProgress[120];
        Arrays.fill(sources, source(longText, "1", 1));
        Map<String, String> sourceMetrics = metrics(60, 300);
        sourceMetrics.put(repeat('k', 201), "too long a key");
        sources[0] = new SourceProgress("s", "1", "1", null, 1, 1, 1, sourceMetrics);
        String name = "line\none\t" + repeat('n', 300);
        StreamingQueryProgress p =
                progress(
                        name,
                        0,
                        manyDurations,
                        new HashMap<String, String>(),
                        operators,
                        sources,
                        new SinkProgress(longText, 7L, new HashMap<String, String>()));
        JsonNode g = encode(new StreamingQueryListener.QueryProgressEvent(p)).get("progress");
        String shippedName = g.get("name").asText();
        assertEquals(200, shippedName.length());
        assertTrue(shippedName.startsWith("line one "), "control characters replaced");
        assertEquals(50, g.get("durationMs").size());
        assertFalse(g.get("durationMs").has("negative"));
        assertEquals(100, g.get("stateOperators").size());
        assertEquals(2048, g.get("stateOperators").get(0).get("operatorName").asText().length());
        assertEquals(100, g.get("sources").size());
        assertEquals(2048, g.get("sources").get(1).get("description").asText().length());
        JsonNode m = g.get("sources").get(0).get("metrics");
        assertEquals(50, m.size());
        assertEquals(200, m.get("m000").asText().length());
        assertTrue(g.get("sources").get(0).get("latestOffset").isNull());
        assertEquals(2048, g.get("sink").get("description").asText().length());
        assertEquals(7, g.get("sink").get("numOutputRows").asLong());
    }

    @Test
    void terminationCarriesTheCutExceptionAndTheRunsName() throws Exception {
        encode(new StreamingQueryListener.QueryStartedEvent(id, runId, "orders", TS));
        String trace = "java.lang.IllegalStateException: boom\n\tat " + repeat('x', 5000);
        EncodedEvent encoded =
                encoded(
                        new StreamingQueryListener.QueryTerminatedEvent(
                                id, runId, Option.apply(trace), Option.apply("INTERNAL_ERROR")));
        assertTrue(encoded.urgent());
        JsonNode e = JSON.readTree(encoded.json());
        assertEquals("queryTerminated", e.get("type").asText());
        assertEquals("orders", e.get("name").asText());
        assertEquals(trace.substring(0, 2048), e.get("exception").asText());
        assertEquals("INTERNAL_ERROR", e.get("errorClass").asText());

        UUID other = UUID.randomUUID();
        JsonNode clean =
                encode(
                        new StreamingQueryListener.QueryTerminatedEvent(
                                id, other, Option.<String>empty()));
        assertTrue(clean.get("name").isNull(), "a run never seen has no name");
        assertTrue(clean.get("exception").isNull());
        assertTrue(clean.get("errorClass").isNull());
    }

    @Test
    void idleEventsTakeTheNameOfTheirRunFromABoundedMemory() throws Exception {
        JsonNode started = encode(new StreamingQueryListener.QueryStartedEvent(id, runId, "q", TS));
        assertEquals(TS_MS, started.get("timestamp").asLong());
        EncodedEvent idle = encoded(new StreamingQueryListener.QueryIdleEvent(id, runId, TS));
        assertFalse(idle.urgent());
        JsonNode e = JSON.readTree(idle.json());
        assertEquals("queryIdle", e.get("type").asText());
        assertEquals(id.toString(), e.get("queryId").asText());
        assertEquals("q", e.get("name").asText());
        assertEquals(TS_MS, e.get("timestamp").asLong());

        for (int i = 0; i < QueryEventEncoder.MAX_RUNS_REMEMBERED; i++) {
            encode(
                    new StreamingQueryListener.QueryStartedEvent(
                            UUID.randomUUID(), UUID.randomUUID(), "other-" + i, TS));
        }
        JsonNode forgotten = encode(new StreamingQueryListener.QueryIdleEvent(id, runId, TS));
        assertTrue(forgotten.get("name").isNull(), "the oldest run was forgotten");
    }

    @Test
    void aProgressWithoutABatchIdIsShippedAsIdle() throws Exception {
        StreamingQueryProgress p =
                progress(
                        "q",
                        -1,
                        new HashMap<String, Long>(),
                        new HashMap<String, String>(),
                        new StateOperatorProgress[0],
                        new SourceProgress[0],
                        null);
        JsonNode e = encode(new StreamingQueryListener.QueryProgressEvent(p));
        assertEquals("queryIdle", e.get("type").asText());
        assertEquals("q", e.get("name").asText());
        assertEquals(TS_MS, e.get("timestamp").asLong());
    }

    @Test
    void theTriggerIsLookedUpUntilFoundThenCachedPerRun() throws Exception {
        trigger = null;
        JsonNode first = encode(new StreamingQueryListener.QueryStartedEvent(id, runId, "q", TS));
        assertTrue(first.get("trigger").isNull(), "not found: null");
        trigger = new TriggerReader.Trigger("default", null);
        StreamingQueryProgress p =
                progress(
                        "q",
                        0,
                        durations(),
                        new HashMap<String, String>(),
                        new StateOperatorProgress[0],
                        new SourceProgress[0],
                        null);
        for (int i = 0; i < 5; i++) {
            JsonNode e = encode(new StreamingQueryListener.QueryProgressEvent(p));
            assertEquals("default", e.get("trigger").get("kind").asText());
            assertTrue(e.get("trigger").get("intervalMs").isNull());
        }
        assertEquals(Arrays.asList(runId, runId), lookups, "asked until found, then cached");

        UUID never = UUID.randomUUID();
        trigger = null;
        for (int i = 0; i < 5; i++) {
            encode(new StreamingQueryListener.QueryStartedEvent(id, never, "q", TS));
        }
        lookups.remove(runId);
        lookups.remove(runId);
        assertEquals(Arrays.asList(never, never, never), lookups, "at most 3 attempts per run");
    }

    @Test
    void sparkTriggersAreClassifiedBySimpleName() {
        assertTrigger("processingTime", 1000L, Trigger.ProcessingTime(1000));
        assertTrigger("default", null, Trigger.ProcessingTime(0));
        assertTrigger("once", null, onceTrigger());
        assertTrigger("availableNow", null, Trigger.AvailableNow());
        assertTrigger("continuous", 5000L, Trigger.Continuous(5000));
        assertTrigger("unknown", null, new Object());
        assertNull(TriggerReader.classify(null));
        assertEquals(
                "ProcessingTimeTrigger",
                TriggerReader.simpleName(Trigger.ProcessingTime(1).getClass()));
        assertEquals("OneTimeTrigger", TriggerReader.simpleName(onceTrigger().getClass()));
    }

    @SuppressWarnings("deprecation") // Trigger.Once is what some users still run
    private static Trigger onceTrigger() {
        return Trigger.Once();
    }

    @Test
    void withoutASparkSessionNoTriggerIsFoundAndNothingThrows() {
        assertNull(new TriggerReader().read(UUID.randomUUID(), UUID.randomUUID()));
    }

    private static void assertTrigger(String kind, Long intervalMs, Object sparkTrigger) {
        TriggerReader.Trigger t = TriggerReader.classify(sparkTrigger);
        assertEquals(kind, t.kind, String.valueOf(sparkTrigger));
        assertEquals(intervalMs, t.intervalMs, String.valueOf(sparkTrigger));
    }

    @Test
    void timestampsParseAsEpochMillisOrNull() {
        assertEquals(TS_MS, QueryEventEncoder.epochMs(TS).longValue());
        assertEquals(0L, QueryEventEncoder.epochMs("1970-01-01T00:00:00.000Z").longValue());
        assertNull(QueryEventEncoder.epochMs("01/12/2026"));
        assertNull(QueryEventEncoder.epochMs(null));
    }
}
