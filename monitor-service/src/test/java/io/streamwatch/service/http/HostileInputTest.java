package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.INGEST;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.testkit.Events;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of malformed ingest body, sent over real HTTP: each is a 4xx JSON error naming the
 * field, with no internals, and leaves the app it targets exactly as it was.
 */
class HostileInputTest {
    private static final String VICTIM = "victim";
    private static LoopbackService svc;
    private static long t;

    @BeforeAll
    static void start() throws Exception {
        svc = LoopbackService.start("hostile", Map.of());
        t = svc.clock.millis();
        assertEquals(
                200,
                svc.ingest(
                                Events.from(VICTIM, "app-v")
                                        .streamingStarted(t - 60_000, 1000)
                                        .completed(t - 50_000, 5, 500, 3, null))
                        .status());
    }

    @AfterAll
    static void stop() {
        svc.close();
    }

    /**
     * A valid body that would change the victim's state if it were applied (new sequence numbers).
     */
    private static Events template() {
        return template(VICTIM);
    }

    private static Events template(String app) {
        return Events.from(app, "app-v")
                .startingAt(100)
                .streamingStarted(t - 5000, 1000)
                .submitted(t - 2000)
                .completed(t - 2000, 10, 900, 42, null)
                .receiverError(t - 100, 0, "boom");
    }

    private static ObjectNode batch(ObjectNode root) {
        return (ObjectNode) root.get("events").get(2).get("batch");
    }

    private static ObjectNode source(ObjectNode root) {
        return (ObjectNode) root.get("source");
    }

    private static ObjectNode event(ObjectNode root, int i) {
        return (ObjectNode) root.get("events").get(i);
    }

    record Case(String name, byte[] body, String contentType, String encoding) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Arguments tree(
            String name, Consumer<ObjectNode> mutation, int status, String fragment) {
        ObjectNode root = template().root();
        mutation.accept(root);
        return text(name, root.toString(), status, fragment);
    }

    private static Arguments edit(
            String name, UnaryOperator<String> mutation, int status, String fragment) {
        String json = template().json();
        String edited = mutation.apply(json);
        if (edited.equals(json))
            throw new IllegalStateException(name + ": the edit changed nothing");
        return text(name, edited, status, fragment);
    }

    private static Arguments text(String name, String body, int status, String fragment) {
        return bytes(name, body.getBytes(StandardCharsets.UTF_8), status, fragment);
    }

    private static Arguments bytes(String name, byte[] body, int status, String fragment) {
        return Arguments.of(new Case(name, body, "application/json", null), status, fragment);
    }

    private static Arguments headers(
            String name,
            byte[] body,
            String contentType,
            String encoding,
            int status,
            String fragment) {
        return Arguments.of(new Case(name, body, contentType, encoding), status, fragment);
    }

    /**
     * The template with {@code marker}'s first occurrence replaced by raw bytes (which need not be
     * UTF-8).
     */
    private static byte[] splice(String marker, byte... replacement) {
        byte[] json = template().json().getBytes(StandardCharsets.ISO_8859_1);
        byte[] m = marker.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i + m.length <= json.length; i++) {
            if (Arrays.equals(json, i, i + m.length, m, 0, m.length)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(json, 0, i);
                out.writeBytes(replacement);
                out.write(json, i + m.length, json.length - i - m.length);
                return out.toByteArray();
            }
        }
        throw new IllegalStateException("no " + marker);
    }

    static Stream<Arguments> hostileBodies() throws Exception {
        byte[] valid = template().json().getBytes(StandardCharsets.UTF_8);
        Events many = Events.from(VICTIM, "app-v");
        for (int i = 0; i < 101; i++) many.heartbeat(t);
        return Stream.of(
                // numbers
                edit(
                        "NaN literal",
                        s -> s.replace("\"processingTimeMs\":900", "\"processingTimeMs\":NaN"),
                        400,
                        "events[2].batch.processingTimeMs"),
                edit(
                        "Infinity literal",
                        s ->
                                s.replace(
                                        "\"processingTimeMs\":900",
                                        "\"processingTimeMs\":-Infinity"),
                        400,
                        "events[2].batch.processingTimeMs"),
                tree(
                        "NaN as a string",
                        r -> batch(r).put("processingTimeMs", "NaN"),
                        400,
                        "events[2].batch.processingTimeMs: must be a whole number, got a string"),
                tree(
                        "number as a string",
                        r -> batch(r).put("records", "42"),
                        400,
                        "events[2].batch.records: must be a whole number"),
                tree(
                        "negative duration",
                        r -> batch(r).put("schedulingDelayMs", -1),
                        400,
                        "events[2].batch.schedulingDelayMs: must be >= 0"),
                tree(
                        "duration over a year",
                        r -> batch(r).put("totalDelayMs", 400L * 86_400_000L),
                        400,
                        "events[2].batch.totalDelayMs: must be <="),
                tree(
                        "fractional duration",
                        r -> batch(r).put("processingTimeMs", 1.5),
                        400,
                        "events[2].batch.processingTimeMs: must be a whole number, got a fraction"),
                tree(
                        "negative records",
                        r -> batch(r).put("records", -3),
                        400,
                        "events[2].batch.records: must be >= 0"),
                tree(
                        "huge integer",
                        r -> batch(r).put("records", new BigInteger("9".repeat(30))),
                        400,
                        "events[2].batch.records: must be a whole number"),
                tree(
                        "number longer than the parser allows",
                        r -> batch(r).put("records", new BigInteger("9".repeat(40))),
                        400,
                        "at events[2].batch.records: a number has more than 32 characters"),
                edit(
                        "exponent overflow",
                        s -> s.replace("\"records\":42", "\"records\":1e999"),
                        400,
                        "events[2].batch.records: must be a whole number"),
                edit(
                        "leading zeros",
                        s -> s.replace("\"records\":42", "\"records\":0042"),
                        400,
                        "not valid JSON at events[2].batch.records"),
                tree(
                        "boolean as a number",
                        r -> batch(r).put("failed", 1),
                        400,
                        "events[2].batch.failed: must be true or false"),
                // timestamps
                tree(
                        "timestamp before 2000",
                        r -> batch(r).put("batchTime", 0),
                        400,
                        "events[2].batch.batchTime: must be epoch milliseconds"),
                tree(
                        "timestamp in seconds",
                        r -> batch(r).put("batchTime", t / 1000),
                        400,
                        "events[2].batch.batchTime: must be epoch milliseconds"),
                tree(
                        "negative timestamp",
                        r -> event(r, 1).put("time", -1),
                        400,
                        "events[1].time: must be epoch milliseconds"),
                tree(
                        "timestamp a year ahead",
                        r -> event(r, 0).put("time", t + 366L * 86_400_000L),
                        400,
                        "events[0].time: must be epoch milliseconds"),
                tree(
                        "timestamp Long.MAX_VALUE",
                        r -> event(r, 3).put("time", Long.MAX_VALUE),
                        400,
                        "events[3].time: must be epoch milliseconds"),
                tree(
                        "end before start",
                        r -> batch(r).put("processingEndTime", t - 10_000),
                        400,
                        "events[2].batch.processingEndTime"),
                // names and text
                tree(
                        "control character in the app key",
                        r -> source(r).put("app", "vic\u0007tim"),
                        400,
                        "source.app: must not contain control characters"),
                tree(
                        "newline in the app id",
                        r -> source(r).put("appId", "app-v\nINFO forged log line"),
                        400,
                        "source.appId: must not contain control characters"),
                tree(
                        "escape sequence in the instance",
                        r -> source(r).put("instance", "\u001b[31mred"),
                        400,
                        "source.instance: must not contain control characters"),
                tree(
                        "right-to-left override in the app key",
                        r -> source(r).put("app", "vic\u202Etim"),
                        400,
                        "source.app: must not contain control characters"),
                tree(
                        "line separator in the app key",
                        r -> source(r).put("app", "vic\u2028tim"),
                        400,
                        "source.app: must not contain control characters"),
                tree(
                        "control character in a label (sparkVersion)",
                        r -> source(r).put("sparkVersion", "3.5\r\n"),
                        400,
                        "source.sparkVersion: must not contain control characters"),
                tree(
                        "control character in a topic",
                        r ->
                                batch(r).putArray("inputs")
                                        .addObject()
                                        .put("streamId", 0)
                                        .put("records", 1)
                                        .putArray("offsets")
                                        .addObject()
                                        .put("topic", "orders\u0000")
                                        .put("partition", 0)
                                        .put("fromOffset", 0)
                                        .put("untilOffset", 1),
                        400,
                        "events[2].batch.inputs[0].offsets[0].topic: must not contain"),
                tree(
                        "NUL in a failure reason",
                        r -> batch(r).put("failureReason", "boom\u0000"),
                        400,
                        "events[2].batch.failureReason: must not contain NUL"),
                edit(
                        "unpaired surrogate in text",
                        s -> s.replaceFirst("\"boom\"", "\"x\\\\uD800y\""),
                        400,
                        "events[3].receiver.lastErrorMessage: must be valid Unicode"),
                tree("blank app key", r -> source(r).put("app", " \t"), 400, "source.app"),
                tree(
                        "app key too long",
                        r -> source(r).put("app", "x".repeat(201)),
                        400,
                        "source.app: at most 200 characters"),
                tree(
                        "failure reason too long",
                        r -> batch(r).put("failureReason", "x".repeat(9000)),
                        400,
                        "events[2].batch.failureReason: at most 8192"),
                tree(
                        "string longer than the body limit",
                        r -> batch(r).put("failureReason", "x".repeat(65_537)),
                        413,
                        "ingest.maxBodyBytes"),
                tree(
                        "app key is a number",
                        r -> source(r).put("app", 7),
                        400,
                        "source.app: must be a string"),
                tree(
                        "app key is an object",
                        r -> source(r).putObject("app"),
                        400,
                        "source.app: must be a string"),
                // structure
                tree(
                        "unknown schema version",
                        r -> r.put("schema", 2),
                        400,
                        "schema: unsupported version 2"),
                tree(
                        "schema as a string",
                        r -> r.put("schema", "1"),
                        400,
                        "schema: must be a whole number, got a string"),
                tree("no schema", r -> r.remove("schema"), 400, "schema: required"),
                tree(
                        "unknown event type",
                        r -> event(r, 1).put("type", "batchExploded"),
                        400,
                        "events[1].type: unknown event type 'batchExploded'"),
                tree(
                        "event type in the wrong case",
                        r -> event(r, 2).put("type", "BatchCompleted"),
                        400,
                        "events[2].type: unknown event type"),
                tree(
                        "event type swapped",
                        r -> event(r, 3).put("type", "batchCompleted"),
                        400,
                        "events[3]"),
                tree(
                        "event type is null",
                        r -> event(r, 0).putNull("type"),
                        400,
                        "events[0].type: required"),
                tree(
                        "unknown field",
                        r -> batch(r).put("extra", 1),
                        400,
                        "events[2].batch.extra: unknown field"),
                tree("no source", r -> r.remove("source"), 400, "source: required"),
                tree(
                        "events is an object",
                        r -> r.putObject("events"),
                        400,
                        "events: must be an array"),
                tree(
                        "an event is a number",
                        r ->
                                ((com.fasterxml.jackson.databind.node.ArrayNode) r.get("events"))
                                        .insert(0, 5),
                        400,
                        "events[0]: must be an object"),
                tree(
                        "sequence going backwards",
                        r -> event(r, 2).put("seq", 100),
                        400,
                        "events[2].seq: must be greater than"),
                tree(
                        "sequence zero",
                        r -> event(r, 1).put("seq", 0),
                        400,
                        "events[1].seq: must be >= 1"),
                text(
                        "too many events",
                        many.json(),
                        400,
                        "events: at most 100 entries per request, got 101"),
                // JSON itself
                text("body is null", "null", 400, "body: must be a JSON object"),
                text(
                        "body is an array",
                        "[" + template().json() + "]",
                        400,
                        "body: must be a JSON object"),
                text("body is a number", "42", 400, "body: must be a JSON object"),
                text("body is a string", "\"schema\"", 400, "body: must be a JSON object"),
                text("body is true", "true", 400, "body: must be a JSON object"),
                text("body is an empty object", "{}", 400, "schema: required"),
                text("empty body", "", 400, "body"),
                text("whitespace body", " \r\n\t ", 400, "body"),
                text(
                        "truncated",
                        template().json().substring(0, 150),
                        400,
                        "body is not valid JSON"),
                text("trailing garbage", template().json() + " {}", 400, "body is not valid JSON"),
                text(
                        "two documents",
                        template().json() + template().json(),
                        400,
                        "body is not valid JSON"),
                edit(
                        "duplicate key at the top",
                        s -> s.replaceFirst("\\{\"schema\":1,", "{\"schema\":1,\"schema\":1,"),
                        400,
                        "Duplicate field 'schema'"),
                edit(
                        "duplicate key in an event",
                        s ->
                                s.replace(
                                        "\"type\":\"batchSubmitted\"",
                                        "\"type\":\"batchSubmitted\",\"type\":\"batchCompleted\""),
                        400,
                        "Duplicate field 'type'"),
                edit(
                        "deep nesting where a value belongs (refused by type before it is read)",
                        s ->
                                s.replaceFirst(
                                        "\"failureReason\":null",
                                        "\"failureReason\":" + "[".repeat(40) + "]".repeat(40)),
                        400,
                        "events[2].batch.outputOps[0].failureReason: must be a string, got array"),
                edit(
                        "deep nesting in an event before its type",
                        s ->
                                s.replaceFirst(
                                        "\\{\"type\":\"streamingStarted\"",
                                        "{\"x\":"
                                                + "[".repeat(40)
                                                + "]".repeat(40)
                                                + ",\"type\":\"streamingStarted\""),
                        400,
                        "JSON is nested more than 16 levels deep"),
                edit(
                        "nesting within the limit but the wrong type",
                        s -> s.replaceFirst("\"failureReason\":null", "\"failureReason\":[[[1]]]"),
                        400,
                        "must be a string, got array"),
                edit(
                        "single quotes",
                        s -> s.replace("\"victim\"", "'victim'"),
                        400,
                        "body is not valid JSON"),
                edit(
                        "comment",
                        s -> s.replace("{\"schema\":1,", "{/* hi */\"schema\":1,"),
                        400,
                        "body is not valid JSON"),
                bytes(
                        "invalid UTF-8 in a string",
                        splice("\"boom\"", (byte) '"', (byte) 0xC3, (byte) 0x28, (byte) '"'),
                        400,
                        "not valid JSON at events[3].receiver"),
                bytes(
                        "Latin-1 byte in a string",
                        splice("\"victim\"", (byte) '"', (byte) 'v', (byte) 0xE9, (byte) '"'),
                        400,
                        "not valid JSON"),
                bytes(
                        "raw control byte in a string",
                        splice("\"boom\"", (byte) '"', (byte) 1, (byte) '"'),
                        400,
                        "not valid JSON"),
                bytes(
                        "NUL byte between tokens",
                        splice(
                                "{\"schema\"",
                                (byte) '{',
                                (byte) 0,
                                (byte) '"',
                                (byte) 's',
                                (byte) 'c',
                                (byte) 'h',
                                (byte) 'e',
                                (byte) 'm',
                                (byte) 'a',
                                (byte) '"'),
                        400,
                        "not valid JSON"),
                bytes(
                        "random bytes",
                        new java.util.Random(5)
                                .ints(200, 0, 256)
                                .collect(
                                        ByteArrayOutputStream::new,
                                        (o, b) -> o.write(b),
                                        (a, b) -> a.writeBytes(b.toByteArray()))
                                .toByteArray(),
                        400,
                        "body"),
                // issue 16: encodings Jackson alone would take
                bytes(
                        "overlong UTF-8 for '/' in a string",
                        splice("\"boom\"", (byte) '"', (byte) 0xC0, (byte) 0xAF, (byte) '"'),
                        400,
                        "not valid JSON at events[3].receiver.lastErrorMessage: Invalid UTF-8"),
                bytes(
                        "overlong UTF-8 NUL in the app key",
                        splice(
                                "\"victim\"",
                                (byte) '"',
                                (byte) 'v',
                                (byte) 0xC0,
                                (byte) 0x80,
                                (byte) '"'),
                        400,
                        "not valid JSON at source.app: Invalid UTF-8"),
                bytes(
                        "three-byte overlong UTF-8",
                        splice(
                                "\"boom\"",
                                (byte) '"',
                                (byte) 0xE0,
                                (byte) 0x80,
                                (byte) 0xAF,
                                (byte) '"'),
                        400,
                        "Invalid UTF-8"),
                bytes(
                        "a surrogate encoded in UTF-8 (CESU-8)",
                        splice(
                                "\"boom\"",
                                (byte) '"',
                                (byte) 0xED,
                                (byte) 0xA0,
                                (byte) 0x80,
                                (byte) '"'),
                        400,
                        "Invalid UTF-8"),
                bytes(
                        "a code point above U+10FFFF",
                        splice(
                                "\"boom\"",
                                (byte) '"',
                                (byte) 0xF4,
                                (byte) 0x90,
                                (byte) 0x80,
                                (byte) 0x80,
                                (byte) '"'),
                        400,
                        "Invalid UTF-8"),
                bytes(
                        "UTF-16LE body",
                        template().json().getBytes(StandardCharsets.UTF_16LE),
                        400,
                        "body is not UTF-8"),
                bytes(
                        "UTF-16 body with its byte order mark",
                        template().json().getBytes(StandardCharsets.UTF_16),
                        400,
                        "body is not UTF-8"),
                bytes(
                        "UTF-32 body",
                        template().json().getBytes(java.nio.charset.Charset.forName("UTF-32")),
                        400,
                        "body is not UTF-8"),
                bytes(
                        "UTF-8 byte order mark",
                        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, valid),
                        400,
                        "byte order mark"),
                tree(
                        "zero-width space in the app key",
                        r -> source(r).put("app", "vic\u200Btim"),
                        400,
                        "source.app: must not contain control characters (found U+200B)"),
                tree(
                        "zero-width joiner in the app key",
                        r -> source(r).put("app", "victim\u200D"),
                        400,
                        "source.app: must not contain control characters (found U+200D)"),
                tree(
                        "word joiner in the instance",
                        r -> source(r).put("instance", "i\u2060"),
                        400,
                        "source.instance: must not contain control characters (found U+2060)"),
                tree(
                        "soft hyphen in the app key",
                        r -> source(r).put("app", "vic\u00ADtim"),
                        400,
                        "source.app: must not contain control characters (found U+00AD)"),
                tree(
                        "Arabic letter mark in the app key",
                        r -> source(r).put("app", "victim\u061C"),
                        400,
                        "source.app: must not contain control characters (found U+061C)"),
                tree(
                        "invisible tag character in the app key",
                        r -> source(r).put("app", "victim\uDB40\uDC41"),
                        400,
                        "source.app: must not contain control characters (found U+E0041)"),
                // issue 16: numbers that would overflow running totals
                tree(
                        "records that overflow the running total",
                        r -> batch(r).put("records", Long.MAX_VALUE / 4),
                        400,
                        "events[2].batch.records: must be <= 1000000000, got 2305843009213693951"),
                tree(
                        "records just over the bound",
                        r -> batch(r).put("records", 1_000_000_001L),
                        400,
                        "events[2].batch.records: must be <= 1000000000"),
                tree(
                        "seq Long.MAX_VALUE",
                        r -> event(r, 3).put("seq", Long.MAX_VALUE),
                        400,
                        "events[3].seq: must be <= 9007199254740991"),
                tree(
                        "dropped Long.MAX_VALUE",
                        r -> r.put("dropped", Long.MAX_VALUE),
                        400,
                        "dropped: must be <= 9007199254740991"),
                tree(
                        "queued Long.MAX_VALUE",
                        r -> r.put("queued", Long.MAX_VALUE),
                        400,
                        "queued: must be <= 1000000000"),
                tree(
                        "input records over the bound",
                        r -> input(r).put("records", Long.MAX_VALUE),
                        400,
                        "events[2].batch.inputs[0].records: must be <= 1000000000"),
                tree(
                        "streamId over the bound",
                        r -> input(r).put("streamId", Integer.MAX_VALUE),
                        400,
                        "events[2].batch.inputs[0].streamId: must be <= 1000000"),
                tree(
                        "receiver streamId over the bound",
                        r -> ((ObjectNode) event(r, 3).get("receiver")).put("streamId", 1_000_001),
                        400,
                        "events[3].receiver.streamId: must be <= 1000000"),
                tree(
                        "partition over the bound",
                        r -> offset(r).put("partition", 2_000_000_000),
                        400,
                        "events[2].batch.inputs[0].offsets[0].partition: must be <= 1000000"),
                tree(
                        "offset over the bound",
                        r -> offset(r).put("untilOffset", Long.MAX_VALUE),
                        400,
                        "events[2].batch.inputs[0].offsets[0].untilOffset: must be <= 9007199254740991"),
                tree(
                        "output operation id over the bound",
                        r -> batch(r).putArray("outputOps").addObject().put("id", 1L << 40),
                        400,
                        "events[2].batch.outputOps[0].id: must be <= 1000000"),
                // issue 16: limits applied while reading
                text(
                        "more JSON tokens than the body limit allows",
                        template()
                                .json()
                                .replace(
                                        "\"inputs\":[]",
                                        "\"inputs\":[" + "{},".repeat(9000) + "{}]"),
                        400,
                        "body: more than 16384 JSON values"),
                headers(
                        "gzip of many tiny nodes within the size limit",
                        gzip(
                                ("{\"schema\":1,\"x\":[" + "[],".repeat(20_000) + "[]]}")
                                        .getBytes(StandardCharsets.UTF_8)),
                        "application/json",
                        "gzip",
                        400,
                        "body: more than 16384 JSON values"),
                headers(
                        "gzip with trailing bytes",
                        concat(gzip(valid), "trailing".getBytes(StandardCharsets.UTF_8)),
                        "application/json",
                        "gzip",
                        400,
                        "8 bytes follow the gzip member"),
                headers(
                        "gzip with a second member",
                        concat(gzip(valid), gzip("{}".getBytes(StandardCharsets.UTF_8))),
                        "application/json",
                        "gzip",
                        400,
                        "follow the gzip member"),
                headers(
                        "gzip with trailing zeros",
                        concat(gzip(valid), new byte[4]),
                        "application/json",
                        "gzip",
                        400,
                        "follow the gzip member"),
                // media types and encodings
                headers(
                        "no content type",
                        valid,
                        null,
                        null,
                        415,
                        "Content-Type must be application/json"),
                headers(
                        "text/plain",
                        valid,
                        "text/plain",
                        null,
                        415,
                        "Content-Type must be application/json, got 'text/plain'"),
                headers(
                        "a look-alike type",
                        valid,
                        "application/jsonx",
                        null,
                        415,
                        "Content-Type must be application/json"),
                headers(
                        "JSON sequence type",
                        valid,
                        "application/json-seq",
                        null,
                        415,
                        "Content-Type must be application/json"),
                headers(
                        "form encoding",
                        valid,
                        "application/x-www-form-urlencoded",
                        null,
                        415,
                        "Content-Type must be application/json"),
                headers(
                        "multipart",
                        valid,
                        "multipart/form-data; boundary=x",
                        null,
                        415,
                        "Content-Type must be application/json"),
                headers(
                        "a charset that is not UTF-8",
                        valid,
                        "application/json; charset=iso-8859-1",
                        null,
                        415,
                        "got charset"),
                headers(
                        "brotli",
                        valid,
                        "application/json",
                        "br",
                        415,
                        "Content-Encoding must be gzip or identity, got 'br'"),
                headers(
                        "deflate",
                        valid,
                        "application/json",
                        "deflate",
                        415,
                        "Content-Encoding must be gzip or identity"),
                headers(
                        "gzip twice",
                        valid,
                        "application/json",
                        "gzip, gzip",
                        415,
                        "Content-Encoding must be gzip or identity"),
                headers(
                        "gzip announced, plain sent",
                        valid,
                        "application/json",
                        "gzip",
                        400,
                        "body is not valid gzip"),
                headers(
                        "gzip truncated",
                        Arrays.copyOf(gzip(valid), 30),
                        "application/json",
                        "gzip",
                        400,
                        "body is not valid gzip"),
                headers(
                        "gzip of garbage",
                        gzip("not json".getBytes(StandardCharsets.UTF_8)),
                        "application/json",
                        "gzip",
                        400,
                        "body is not valid JSON"),
                headers(
                        "gzip with a corrupt trailer",
                        corruptTrailer(gzip(valid)),
                        "application/json",
                        "gzip",
                        400,
                        "body is not valid gzip"),
                headers(
                        "body over the limit",
                        ("{\"schema\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}")
                                .getBytes(StandardCharsets.UTF_8),
                        "application/json",
                        null,
                        413,
                        "ingest.maxBodyBytes"),
                headers(
                        "gzip bomb",
                        gzip(new byte[5_000_000]),
                        "application/json",
                        "gzip",
                        413,
                        "decompressed body exceeds the limit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void aHostileBodyIsRefusedNamingTheProblemAndChangesNothing(Case c, int status, String fragment)
            throws Exception {
        String before = svc.snapshot(VICTIM);
        LoopbackService.Response r = svc.post(c.body(), headers(c));
        assertRefused(r, status, fragment);
        assertEquals(before, svc.snapshot(VICTIM), "a refused request changed the app's state");
    }

    private static String[] headers(Case c) {
        java.util.List<String> h =
                new java.util.ArrayList<>(java.util.List.of("Authorization", "Bearer " + INGEST));
        if (c.contentType() != null) h.addAll(java.util.List.of("Content-Type", c.contentType()));
        if (c.encoding() != null) h.addAll(java.util.List.of("Content-Encoding", c.encoding()));
        return h.toArray(String[]::new);
    }

    @Test
    void theTemplateItselfIsAcceptedSoEachRefusalAboveIsCausedByItsMutation() throws Exception {
        String control = "control";
        String body = template(control).json();
        assertEquals(
                200,
                svc.post(
                                body.getBytes(StandardCharsets.UTF_8),
                                "Authorization",
                                "Bearer " + INGEST,
                                "Content-Type",
                                "application/json; charset=UTF-8")
                        .status());
        assertEquals(
                1,
                svc.get("/api/v1/apps/" + control + "/batches", LoopbackService.READER)
                        .json()
                        .get("batches")
                        .size());
        // Media type and charset are case-insensitive; gzip is accepted.
        Events next =
                Events.from(control, "app-v").startingAt(200).completed(t - 1000, 1, 10, 1, null);
        assertEquals(
                200,
                svc.post(
                                next.json().getBytes(StandardCharsets.UTF_8),
                                "Authorization",
                                "Bearer " + INGEST,
                                "Content-Type",
                                "APPLICATION/JSON")
                        .status());
        Events zipped =
                Events.from(control, "app-v").startingAt(300).completed(t - 500, 1, 10, 1, null);
        assertEquals(
                200,
                svc.post(
                                gzip(zipped.json().getBytes(StandardCharsets.UTF_8)),
                                "Authorization",
                                "Bearer " + INGEST,
                                "Content-Type",
                                "application/json",
                                "Content-Encoding",
                                "GZIP")
                        .status());
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(data);
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The template with one Kafka input (one offset range) on its completed batch. */
    private static ObjectNode input(ObjectNode root) {
        ObjectNode in = batch(root).putArray("inputs").addObject();
        in.put("streamId", 0).put("records", 1);
        in.putArray("offsets")
                .addObject()
                .put("topic", "orders")
                .put("partition", 0)
                .put("fromOffset", 0)
                .put("untilOffset", 1);
        return in;
    }

    private static ObjectNode offset(ObjectNode root) {
        return (ObjectNode) input(root).get("offsets").get(0);
    }

    private static byte[] corruptTrailer(byte[] gz) {
        byte[] copy = gz.clone();
        copy[copy.length - 6] ^= 0x5A; // CRC-32 of the content
        return copy;
    }
}
