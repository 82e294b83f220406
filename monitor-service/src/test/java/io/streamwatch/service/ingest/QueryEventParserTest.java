package io.streamwatch.service.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.model.Event;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The four Structured Streaming event types: accepted as the listener sends them, bounded. */
class QueryEventParserTest {
    private static final long NOW = 1_790_000_000_000L;
    private final EventParser parser = new EventParser(new MutableClock(NOW), 100);

    /** events[0] started, [1] progress, [2] idle, [3] terminated. */
    private static Events valid() {
        return Events.from("orders", "app-1")
                .queryStarted(NOW - 5000, "q-id", "run-1", "orders", "processingTime", 1000L)
                .queryProgress(NOW - 4000, "q-id", "run-1", "orders", 0, NOW - 4000, 10, 800)
                .kafkaSource("clicks", 12, 30)
                .trigger("processingTime", 1000L)
                .queryIdle(NOW - 3000, "q-id", "run-1", "orders", NOW - 3000)
                .queryTerminated(
                        NOW - 2000,
                        "q-id",
                        "run-1",
                        "orders",
                        "org.apache.spark.SparkException: boom\n\tat x.y(Z.java:1)",
                        "FAILED_EXECUTION");
    }

    private IngestBatch parse(Events e) {
        return parser.parse(e.json().getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode event(ObjectNode root, int i) {
        return (ObjectNode) root.get("events").get(i);
    }

    private static ObjectNode progress(ObjectNode root) {
        return (ObjectNode) event(root, 1).get("progress");
    }

    private static ObjectNode source(ObjectNode root) {
        return (ObjectNode) progress(root).get("sources").get(0);
    }

    @Test
    void eachQueryEventBecomesItsTypedEvent() {
        List<Event> events = parse(valid()).events();
        Event.QueryStarted started = (Event.QueryStarted) events.get(0);
        assertEquals("q-id", started.queryId());
        assertEquals(new Event.Trigger("processingTime", 1000L), started.trigger());
        Event.QueryProgress progress = (Event.QueryProgress) events.get(1);
        assertEquals(new Event.Trigger("processingTime", 1000L), progress.trigger());
        Event.Progress p = progress.progress();
        assertEquals("run-1", p.runId());
        assertEquals(0, p.batchId());
        assertEquals(800L, p.durationMs().get("triggerExecution"));
        assertTrue(p.durationMs().containsKey("addBatch"));
        assertEquals(10, p.numInputRows());
        assertEquals(10.0, p.inputRowsPerSecond());
        assertEquals("{\"clicks\":{\"0\":12,\"1\":30}}", p.sources().get(0).endOffset());
        assertEquals("0", p.sources().get(0).metrics().get("maxOffsetsBehindLatest"));
        assertEquals(-1L, p.sink().numOutputRows());
        Event.QueryIdle idle = (Event.QueryIdle) events.get(2);
        assertEquals(NOW - 3000, idle.timestamp());
        Event.QueryTerminated t = (Event.QueryTerminated) events.get(3);
        assertTrue(t.exception().startsWith("org.apache.spark.SparkException: boom\n"));
        assertEquals("FAILED_EXECUTION", t.errorClass());
        assertEquals(4, t.seq());
    }

    @Test
    void nullableFieldsMayBeAbsentOrNull() {
        Events e = valid();
        ObjectNode root = e.root();
        event(root, 0).remove(List.of("name", "timestamp", "trigger"));
        ObjectNode p = progress(root);
        p.remove(List.of("name", "batchDurationMs", "inputRowsPerSecond", "eventTime", "sink"));
        p.remove("stateOperators");
        p.putNull("processedRowsPerSecond");
        source(root).remove(List.of("description", "latestOffset", "metrics"));
        source(root).putNull("startOffset");
        event(root, 3).remove(List.of("name", "exception", "errorClass"));
        List<Event> events = parse(e).events();
        Event.QueryStarted started = (Event.QueryStarted) events.get(0);
        assertNull(started.name());
        assertNull(started.trigger());
        assertNull(started.timestamp());
        Event.Progress parsed = ((Event.QueryProgress) events.get(1)).progress();
        assertNull(parsed.inputRowsPerSecond());
        assertNull(parsed.processedRowsPerSecond());
        assertNull(parsed.sink());
        assertNull(parsed.sources().get(0).startOffset());
        assertNull(((Event.QueryTerminated) events.get(3)).exception());
    }

    @Test
    void aSparkThreeFourNoDataProgressIsAccepted() {
        Events e =
                Events.from("orders", "app-1")
                        .queryNoDataProgress(NOW - 1000, "q-id", "run-1", null, 4, NOW - 1000);
        Event.Progress p = ((Event.QueryProgress) parse(e).events().get(0)).progress();
        assertTrue(!p.durationMs().containsKey("addBatch"));
        assertEquals(4, p.batchId());
    }

    @Test
    void anOffsetOfExactly65536CharactersIsAccepted() {
        Events e = valid();
        source(e.root()).put("startOffset", "7".repeat(65_536));
        Event.Progress p = ((Event.QueryProgress) parse(e).events().get(1)).progress();
        assertEquals(65_536, p.sources().get(0).startOffset().length());
    }

    static Stream<Arguments> outOfBounds() {
        return Stream.of(
                bad(
                        "unknown field in an event",
                        r -> event(r, 0).put("extra", 1),
                        "events[0].extra: unknown field (allowed here: type, time, seq, queryId,"
                                + " runId, name, timestamp, trigger)"),
                bad(
                        "unknown field in a progress",
                        r -> progress(r).put("json", "{}"),
                        "events[1].progress.json: unknown field"),
                bad(
                        "unknown field in a source",
                        r -> source(r).put("offsets", 1),
                        "events[1].progress.sources[0].offsets: unknown field"),
                bad(
                        "no queryId",
                        r -> event(r, 0).remove("queryId"),
                        "events[0].queryId: required"),
                bad(
                        "empty runId",
                        r -> event(r, 2).put("runId", ""),
                        "events[2].runId: must not be blank"),
                bad(
                        "queryId too long",
                        r -> event(r, 3).put("queryId", "q".repeat(101)),
                        "events[3].queryId: at most 100 characters, got 101"),
                bad(
                        "name too long",
                        r -> progress(r).put("name", "n".repeat(201)),
                        "events[1].progress.name: at most 200 characters, got 201"),
                bad(
                        "control character in a name",
                        r -> event(r, 0).put("name", "or\nders"),
                        "events[0].name: must not contain control characters (found U+000A)"),
                bad(
                        "unknown trigger kind",
                        r -> ((ObjectNode) event(r, 0).get("trigger")).put("kind", "sometimes"),
                        "events[0].trigger.kind: must be one of availableNow, continuous, default,"
                                + " once, processingTime, realTime, unknown, got 'sometimes'"),
                bad(
                        "trigger interval over 31 days",
                        r ->
                                ((ObjectNode) event(r, 1).get("trigger"))
                                        .put("intervalMs", 31L * 86_400_000L + 1),
                        "events[1].trigger.intervalMs: must be <= 2678400000"),
                bad(
                        "exception too long",
                        r -> event(r, 3).put("exception", "x".repeat(2049)),
                        "events[3].exception: at most 2048 characters, got 2049"),
                bad(
                        "errorClass too long",
                        r -> event(r, 3).put("errorClass", "E".repeat(201)),
                        "events[3].errorClass: at most 200 characters, got 201"),
                bad(
                        "source description too long",
                        r -> source(r).put("description", "d".repeat(2049)),
                        "events[1].progress.sources[0].description: at most 2048 characters"),
                bad(
                        "operator name too long",
                        r -> firstOperator(r).put("operatorName", "o".repeat(2049)),
                        "events[1].progress.stateOperators[0].operatorName: at most 2048"),
                bad(
                        "sink description too long",
                        r ->
                                ((ObjectNode) progress(r).get("sink"))
                                        .put("description", "s".repeat(2049)),
                        "events[1].progress.sink.description: at most 2048 characters"),
                bad(
                        "51 source metrics",
                        r -> fill((ObjectNode) source(r).get("metrics"), 51, "1"),
                        "events[1].progress.sources[0].metrics: at most 50 entries, got 52"),
                bad(
                        "a source metric value too long",
                        r -> ((ObjectNode) source(r).get("metrics")).put("m", "v".repeat(201)),
                        "events[1].progress.sources[0].metrics.m: at most 200 characters"),
                bad(
                        "a source metric key too long",
                        r -> ((ObjectNode) source(r).get("metrics")).put("k".repeat(201), "1"),
                        "events[1].progress.sources[0].metrics.kkkk"),
                bad(
                        "51 durations",
                        r -> fill((ObjectNode) progress(r).get("durationMs"), 51, null),
                        "events[1].progress.durationMs: at most 50 entries, got 58"),
                bad(
                        "a negative duration",
                        r -> ((ObjectNode) progress(r).get("durationMs")).put("addBatch", -1),
                        "events[1].progress.durationMs.addBatch: must be >= 0, got -1"),
                bad(
                        "a null duration",
                        r -> ((ObjectNode) progress(r).get("durationMs")).putNull("addBatch"),
                        "events[1].progress.durationMs.addBatch: must not be null"),
                bad(
                        "11 event times",
                        r -> fill((ObjectNode) progress(r).get("eventTime"), 11, null),
                        "events[1].progress.eventTime: at most 10 entries, got 11"),
                bad(
                        "an offset over 65536 characters",
                        r -> source(r).put("endOffset", "7".repeat(65_537)),
                        "body at events[1].progress.sources[0].endOffset: a string is longer"
                                + " than 65536 characters"),
                bad(
                        "101 state operators",
                        r -> {
                            ArrayNode ops = (ArrayNode) progress(r).get("stateOperators");
                            for (int i = 0; i < 101; i++) ops.add(ops.get(0).deepCopy());
                        },
                        "events[1].progress.stateOperators: at most 100 entries"),
                bad(
                        "101 sources",
                        r -> {
                            ArrayNode srcs = (ArrayNode) progress(r).get("sources");
                            for (int i = 0; i < 100; i++) srcs.add(srcs.get(0).deepCopy());
                        },
                        "events[1].progress.sources: at most 100 entries"),
                bad(
                        "negative input rows",
                        r -> progress(r).put("numInputRows", -1),
                        "events[1].progress.numInputRows: must be >= 0, got -1"),
                bad(
                        "input rows beyond the batch bound",
                        r -> source(r).put("numInputRows", 1_000_000_001L),
                        "events[1].progress.sources[0].numInputRows: must be <= 1000000000"),
                bad(
                        "negative state rows",
                        r -> firstOperator(r).put("numRowsTotal", -3),
                        "events[1].progress.stateOperators[0].numRowsTotal: must be >= 0, got -3"),
                bad(
                        "negative batchId",
                        r -> progress(r).put("batchId", -1),
                        "events[1].progress.batchId: must be >= 0, got -1"),
                bad(
                        "no progress timestamp",
                        r -> progress(r).remove("timestamp"),
                        "events[1].progress.timestamp: required"),
                bad(
                        "no idle timestamp",
                        r -> event(r, 2).remove("timestamp"),
                        "events[2].timestamp: required"),
                bad(
                        "a negative rate",
                        r -> progress(r).put("inputRowsPerSecond", -0.5),
                        "events[1].progress.inputRowsPerSecond: must be a number from 0 to"),
                bad(
                        "an infinite rate",
                        r ->
                                source(r)
                                        .put(
                                                "processedRowsPerSecond",
                                                new java.math.BigDecimal("1e400")),
                        "events[1].progress.sources[0].processedRowsPerSecond: must be a number"),
                bad(
                        "a rate as a string",
                        r -> progress(r).put("processedRowsPerSecond", "12.3"),
                        "events[1].progress.processedRowsPerSecond: must be a number, got a"
                                + " string"),
                bad(
                        "sink rows below -1",
                        r -> ((ObjectNode) progress(r).get("sink")).put("numOutputRows", -2),
                        "events[1].progress.sink.numOutputRows: must be >= -1, got -2"),
                bad(
                        "no progress",
                        r -> event(r, 1).remove("progress"),
                        "events[1].progress: required"));
    }

    private static ObjectNode operator(ObjectNode root) {
        ObjectNode op = ((ArrayNode) progress(root).get("stateOperators")).addObject();
        op.put("operatorName", "stateStoreSave");
        op.put("numRowsTotal", 5);
        op.put("numRowsUpdated", 1);
        op.put("memoryUsedBytes", 1024);
        op.put("numRowsDroppedByWatermark", 0);
        return op;
    }

    private static ObjectNode firstOperator(ObjectNode root) {
        return (ObjectNode) progress(root).get("stateOperators").get(0);
    }

    private static void fill(ObjectNode map, int n, String text) {
        for (int i = 0; i < n; i++) {
            if (text == null) map.put("k" + i, i);
            else map.put("k" + i, text);
        }
    }

    private static Arguments bad(String name, Consumer<ObjectNode> change, String message) {
        return Arguments.of(name, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outOfBounds")
    void aValueBeyondItsBoundIsRefusedNamingTheField(
            String name, Consumer<ObjectNode> change, String message) {
        Events e = valid();
        operator(e.root());
        change.accept(e.root());
        RejectedException r = assertThrows(RejectedException.class, () -> parse(e));
        assertEquals(400, r.status());
        assertTrue(
                r.getMessage().startsWith(message),
                () -> "expected '" + message + "...', got '" + r.getMessage() + "'");
    }
}
