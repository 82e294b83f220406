package io.streamwatch.service.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.model.Event;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventParserTest {
    private static final long NOW = 1_790_000_000_000L;
    private final EventParser parser = new EventParser(new MutableClock(NOW), 100);

    private static Events valid() {
        return Events.from("orders", "app-1")
                .streamingStarted(NOW - 5000, 1000)
                .submitted(NOW - 2000)
                .completed(NOW - 2000, 10, 900, 42, null)
                .receiverError(NOW - 100, 0, "boom");
    }

    private static ArrayNode events(ObjectNode root) {
        return (ArrayNode) root.get("events");
    }

    private static ObjectNode batch(ObjectNode root) {
        return (ObjectNode) root.get("events").get(2).get("batch");
    }

    @Test
    void aValidBodyBecomesTypedEvents() {
        IngestBatch b = parser.parse(valid().json().getBytes(StandardCharsets.UTF_8));
        assertEquals("orders", b.source().app());
        assertEquals(4, b.events().size());
        Event.BatchEvent done = (Event.BatchEvent) b.events().get(2);
        assertEquals(Event.BatchPhase.COMPLETED, done.phase());
        assertEquals(900L, done.batch().processingTimeMs());
        assertEquals(42, done.batch().records());
        assertEquals(3, done.seq());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad(
                        "schema 2",
                        r -> r.put("schema", 2),
                        "schema: unsupported version 2; this service accepts 1"),
                bad("no schema", r -> r.remove("schema"), "schema: required"),
                bad("unknown top field", r -> r.put("extra", 1), "extra: unknown field"),
                bad("no source", r -> r.remove("source"), "source: required"),
                bad(
                        "blank app",
                        r -> ((ObjectNode) r.get("source")).put("app", "  "),
                        "source.app: must not be blank"),
                bad(
                        "control char in app",
                        r -> ((ObjectNode) r.get("source")).put("app", "a\u0007b"),
                        "source.app: must not contain control characters"),
                bad(
                        "app too long",
                        r -> ((ObjectNode) r.get("source")).put("app", "x".repeat(201)),
                        "source.app: at most 200 characters"),
                bad(
                        "app is a number",
                        r -> ((ObjectNode) r.get("source")).put("app", 5),
                        "source.app: must be a string"),
                bad("negative dropped", r -> r.put("dropped", -1), "dropped: must be >= 0"),
                bad("events not array", r -> r.put("events", "x"), "events: must be an array"),
                bad(
                        "unknown type",
                        r -> ((ObjectNode) r.get("events").get(0)).put("type", "batchExploded"),
                        "events[0].type: unknown event type 'batchExploded'"),
                bad(
                        "seq zero",
                        r -> ((ObjectNode) r.get("events").get(0)).put("seq", 0),
                        "events[0].seq: must be >= 1"),
                bad(
                        "seq not increasing",
                        r -> ((ObjectNode) r.get("events").get(1)).put("seq", 1),
                        "events[1].seq: must be greater than the previous event's seq 1"),
                bad(
                        "seq fraction",
                        r -> ((ObjectNode) r.get("events").get(0)).put("seq", 1.5),
                        "events[0].seq: must be a whole number, got a fraction 1.5"),
                bad(
                        "absurd time",
                        r -> ((ObjectNode) r.get("events").get(0)).put("time", 5),
                        "events[0].time: must be epoch milliseconds"),
                bad(
                        "future time",
                        r ->
                                ((ObjectNode) r.get("events").get(0))
                                        .put("time", NOW + 2 * 86_400_000L),
                        "events[0].time: must be epoch milliseconds"),
                bad(
                        "zero interval",
                        r -> ((ObjectNode) r.get("events").get(0)).put("batchIntervalMs", 0),
                        "events[0].batchIntervalMs: must be > 0"),
                bad(
                        "negative processing",
                        r -> batch(r).put("processingTimeMs", -5),
                        "events[2].batch.processingTimeMs: must be >= 0, got -5"),
                bad(
                        "missing delay on completion",
                        r -> batch(r).remove("totalDelayMs"),
                        "events[2].batch.totalDelayMs: required"),
                bad(
                        "end before start",
                        r -> batch(r).put("processingEndTime", NOW - 10_000),
                        "events[2].batch.processingEndTime"),
                bad(
                        "records as string",
                        r -> batch(r).put("records", "42"),
                        "events[2].batch.records: must be a whole number, got a string"),
                bad(
                        "failed not bool",
                        r -> batch(r).put("failed", "no"),
                        "events[2].batch.failed: must be true or false"),
                bad(
                        "unknown batch field",
                        r -> batch(r).put("procTime", 1),
                        "events[2].batch.procTime: unknown field"),
                bad(
                        "output op not object",
                        r -> batch(r).putArray("outputOps").add(1),
                        "events[2].batch.outputOps[0]: must be an object"),
                bad(
                        "offsets reversed",
                        r ->
                                batch(r).putArray("inputs")
                                        .addObject()
                                        .put("streamId", 0)
                                        .put("records", 1)
                                        .putArray("offsets")
                                        .addObject()
                                        .put("topic", "t")
                                        .put("partition", 0)
                                        .put("fromOffset", 9)
                                        .put("untilOffset", 3),
                        "events[2].batch.inputs[0].offsets[0].untilOffset: 3 is below fromOffset 9"),
                bad(
                        "receiver without streamId",
                        r ->
                                ((ObjectNode) r.get("events").get(3).get("receiver"))
                                        .remove("streamId"),
                        "events[3].receiver.streamId: required"),
                bad(
                        "huge number",
                        r ->
                                batch(r).put(
                                                "records",
                                                new java.math.BigInteger(
                                                        "99999999999999999999999")),
                        "events[2].batch.records: must be a whole number"),
                bad(
                        "bidi override in app",
                        r -> ((ObjectNode) r.get("source")).put("app", "a\u202Eb"),
                        "source.app: must not contain control characters (found U+202E)"),
                bad(
                        "line separator in appId",
                        r -> ((ObjectNode) r.get("source")).put("appId", "a\u2028b"),
                        "source.appId: must not contain control characters"),
                bad(
                        "newline in a label",
                        r -> ((ObjectNode) r.get("source")).put("uiUrl", "http://x\nSet-Cookie: y"),
                        "source.uiUrl: must not contain control characters"),
                bad(
                        "uiUrl not http",
                        r -> ((ObjectNode) r.get("source")).put("uiUrl", "file:///etc/passwd"),
                        "source.uiUrl: must be an http(s) URL"),
                bad(
                        "uiUrl with credentials",
                        r -> ((ObjectNode) r.get("source")).put("uiUrl", "http://u:p@driver:4040"),
                        "source.uiUrl: must be an http(s) URL"),
                bad(
                        "uiUrl relative",
                        r -> ((ObjectNode) r.get("source")).put("uiUrl", "/api"),
                        "source.uiUrl: must be an http(s) URL"),
                bad(
                        "NUL in free text",
                        r -> batch(r).put("failureReason", "a\u0000b"),
                        "events[2].batch.failureReason: must not contain NUL"),
                bad(
                        "integer where a boolean belongs",
                        r -> batch(r).put("failed", 1),
                        "events[2].batch.failed: must be true or false, got a number 1"),
                bad(
                        "string where a number belongs",
                        r -> r.put("queued", "3"),
                        "queued: must be a whole number, got a string"),
                bad(
                        "source is an array",
                        r -> r.putArray("source"),
                        "source: must be an object, got array"),
                bad(
                        "unknown field names the allowed ones",
                        r -> ((ObjectNode) r.get("source")).put("nope", 1),
                        "source.nope: unknown field (allowed here: app, appId, attemptId, instance, sparkVersion, uiUrl, host, listenerVersion)"),
                bad(
                        "seq on a heartbeat",
                        r ->
                                events(r)
                                        .insert(
                                                0,
                                                r.objectNode()
                                                        .put("type", "heartbeat")
                                                        .put("time", NOW)
                                                        .put("seq", 1)),
                        "events[0].seq: unknown field (allowed here: type, time)"),
                bad(
                        "event type is a number",
                        r -> ((ObjectNode) r.get("events").get(0)).put("type", 5),
                        "events[0].type: must be a string, got a number 5"),
                bad(
                        "event without a type",
                        r -> ((ObjectNode) r.get("events").get(0)).remove("type"),
                        "events[0].type: required"),
                bad(
                        "event is null",
                        r -> events(r).insertNull(0),
                        "events[0]: must be an object with a \"type\""),
                bad(
                        "event in Jackson's wrapper-array form",
                        r ->
                                events(r)
                                        .insert(
                                                0,
                                                r.arrayNode()
                                                        .add("heartbeat")
                                                        .add(
                                                                r.objectNode()
                                                                        .put("type", "heartbeat")
                                                                        .put("time", NOW))),
                        "events[0]: must be an object with a \"type\""));
    }

    @Test
    void aDriverUiOnAHostNameWithAnUnderscoreIsAccepted() {
        ObjectNode root = valid().root();
        ((ObjectNode) root.get("source")).put("uiUrl", "http://spark_driver-1.internal:4040");
        assertEquals(
                "http://spark_driver-1.internal:4040",
                parser.parse(root.toString().getBytes(StandardCharsets.UTF_8)).source().uiUrl());
    }

    @Test
    void multiLineFreeTextIsKept() {
        ObjectNode root = valid().root();
        batch(root)
                .put(
                        "failureReason",
                        "Job aborted.\n\tat Foo.bar(Foo.scala:1)\r\n\u001b[31mred\u001b[0m");
        IngestBatch b = parser.parse(root.toString().getBytes(StandardCharsets.UTF_8));
        assertTrue(
                ((Event.BatchEvent) b.events().get(2))
                        .batch()
                        .failureReason()
                        .contains("\n\tat Foo.bar"));
    }

    @Test
    void anUnpairedSurrogateEscapeIsRefusedButAPairIsKept() {
        String lone = valid().json().replace("\"boom\"", "\"x\\ud800y\"");
        RejectedException e =
                assertThrows(
                        RejectedException.class,
                        () -> parser.parse(lone.getBytes(StandardCharsets.UTF_8)));
        assertTrue(
                e.getMessage()
                        .startsWith("events[3].receiver.lastErrorMessage: must be valid Unicode"),
                e.getMessage());
        String pair = valid().json().replace("\"orders\"", "\"orders \\ud83d\\ude00\"");
        assertEquals(
                "orders \uD83D\uDE00",
                parser.parse(pair.getBytes(StandardCharsets.UTF_8)).source().app());
    }

    static Stream<Arguments> parserFailures() {
        String v = valid().json();
        return Stream.of(
                Arguments.of(
                        "NaN literal",
                        v.replace("\"processingTimeMs\":900", "\"processingTimeMs\":NaN"),
                        "body is not valid JSON at events[2].batch.processingTimeMs: Non-standard token 'NaN'"),
                Arguments.of(
                        "comment",
                        "{/*x*/\"schema\":1}",
                        "body is not valid JSON: Unexpected character ('/'"),
                Arguments.of(
                        "trailing object",
                        v + "{}",
                        "body is not valid JSON: more content after the JSON object"),
                Arguments.of(
                        "unclosed object",
                        "{\"schema\":1,\"source\":{\"app\":\"a\"",
                        "body is not valid JSON at source"),
                Arguments.of(
                        "nesting where the shape cannot catch it first (before an event's type)",
                        "{\"schema\":1,\"events\":[{\"x\":"
                                + "[".repeat(20)
                                + "]".repeat(20)
                                + ",\"type\":\"heartbeat\"}]}",
                        "body at events[0].x"
                                + "[0]".repeat(14)
                                + ": JSON is nested more than 16 levels deep"),
                Arguments.of(
                        "nesting where a value belongs is refused as the wrong type, unread",
                        "{\"schema\":1,\"source\":" + "[".repeat(20) + "]".repeat(20) + "}",
                        "source: must be an object, got array"),
                Arguments.of(
                        "number too long",
                        "{\"schema\":" + "1".repeat(40) + "}",
                        "body at schema: a number has more than 32 characters"),
                Arguments.of(
                        "string too long",
                        "{\"schema\":1,\"source\":{\"app\":\"" + "x".repeat(70_000) + "\"}}",
                        "body at source.app: a string is longer than 65536 characters"),
                Arguments.of(
                        "invalid UTF-8",
                        "{\"schema\":1,\"source\":{\"app\":\"\u00ff\"}}",
                        "body is not valid JSON at source.app: Invalid UTF-8"),
                Arguments.of("empty", "", "body is empty"));
    }

    /**
     * Jackson's messages name its classes and features; what reaches a client names the field and
     * the problem only.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("parserFailures")
    void parserFailuresNameTheFieldAndNoInternals(String name, String body, String expected) {
        byte[] bytes =
                name.equals("invalid UTF-8")
                        ? body.getBytes(StandardCharsets.ISO_8859_1)
                        : body.getBytes(StandardCharsets.UTF_8);
        RejectedException e = assertThrows(RejectedException.class, () -> parser.parse(bytes));
        assertEquals(400, e.status());
        assertTrue(
                e.getMessage().startsWith(expected),
                () -> "expected '" + expected + "' at the start of: " + e.getMessage());
        for (String internal :
                new String[] {
                    "`",
                    "Feature",
                    "Constraints",
                    "com.fasterxml",
                    "Source:",
                    "REDACTED",
                    "JsonNode"
                }) {
            assertTrue(
                    !e.getMessage().contains(internal),
                    () -> "'" + internal + "' in: " + e.getMessage());
        }
    }

    private static Arguments bad(String name, Consumer<ObjectNode> mutation, String expected) {
        ObjectNode root = valid().root();
        mutation.accept(root);
        return Arguments.of(name, root.toString(), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedBodyIsRejectedNamingTheField(String name, String body, String expected) {
        RejectedException e =
                assertThrows(
                        RejectedException.class,
                        () -> parser.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        assertTrue(
                e.getMessage().contains(expected),
                () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    static Stream<Arguments> notJson() {
        return Stream.of(
                Arguments.of("empty", "", "body"),
                Arguments.of("array", "[1,2]", "body: must be a JSON object"),
                Arguments.of("truncated", "{\"schema\":1,", "body is not valid JSON"),
                Arguments.of("NaN", "{\"schema\":NaN}", "body is not valid JSON"),
                Arguments.of("trailing garbage", "{\"schema\":1} x", "body is not valid JSON"),
                Arguments.of(
                        "duplicate key", "{\"schema\":1,\"schema\":1}", "body is not valid JSON"),
                Arguments.of("deep nesting", "[".repeat(50) + "]".repeat(50), "body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notJson")
    void aBodyThatIsNotAnEnvelopeIsRejected(String name, String body, String expected) {
        RejectedException e =
                assertThrows(
                        RejectedException.class,
                        () -> parser.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void tooManyEventsInOneRequestIsRejected() {
        Events many = Events.from("a", "b");
        for (int i = 0; i < 101; i++) many.heartbeat(NOW);
        RejectedException e =
                assertThrows(
                        RejectedException.class,
                        () -> parser.parse(many.json().getBytes(StandardCharsets.UTF_8)));
        assertTrue(
                e.getMessage().contains("events: at most 100 entries per request, got 101"),
                e.getMessage());
    }
}
