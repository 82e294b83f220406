package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.INGEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.testkit.Events;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Generated hostile ingest requests over real HTTP: valid envelopes, mutated (fields deleted,
 * duplicated, retyped; numbers turned into strings, NaN, huge or negative values; control
 * characters; truncation; deep nesting; swapped event types; random bytes; gzip garbage; wrong
 * media types; chunked framing), and issue 16's shapes: overlong and surrogate UTF-8, UTF-16 and
 * UTF-32 bodies, byte order marks, gzip with trailing bytes or a second member, gzip bombs of tiny
 * nodes, numbers at and beyond the protocol's bounds, zero-width and other invisible characters in
 * keys. For every request: 200 or a 4xx, never a 5xx or a dropped connection; a refusal is JSON
 * {@code {"error": "..."}} without internals; a refusal changes no app. The seed is fixed (and
 * printed with every failure); {@code -Dstreamwatch.fuzz.seed=N -Dstreamwatch.fuzz.cases=N} explore
 * further.
 */
class IngestFuzzTest {
    private static final long SEED = Long.getLong("streamwatch.fuzz.seed", 0x5eed_2024L);
    private static final int CASES = Integer.getInteger("streamwatch.fuzz.cases", 3000);

    /** A fixed "now", so that a seed reproduces the same requests and answers on any day. */
    private static final long START = 1_790_000_000_000L;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] TYPES = {
        "heartbeat",
        "appStart",
        "appEnd",
        "streamingStarted",
        "batchSubmitted",
        "batchStarted",
        "batchCompleted",
        "receiverStarted",
        "receiverStopped",
        "receiverError"
    };

    /**
     * Characters of generated text: nothing that could spell a class or package name by accident.
     */
    private static final String ALPHABET = "xyzqw 0123456789-_.:/éß€😀";

    private final Random rnd = new Random(SEED);
    private long now;

    @Test
    void noMutatedRequestGetsA5xxLeaksInternalsOrChangesStateWhenRefused() throws Exception {
        try (LoopbackService svc =
                LoopbackService.start(
                        "fuzz",
                        Map.of(
                                "STREAMWATCH_INGEST_MAX_APPS", "12",
                                "STREAMWATCH_INGEST_MAX_REQUESTS_PER_SECOND_PER_APP", "100000"),
                        new MutableClock(START))) {
            now = svc.clock.millis();
            AppRegistry registry = svc.service.registry();
            int[] byStatus = new int[600];
            long started = System.nanoTime();
            for (int i = 0; i < CASES; i++) {
                Request req = next();
                String where = "seed=" + SEED + " case=" + i + " [" + req.description() + "]";
                String before = state(registry);
                LoopbackService.Response r;
                try {
                    r =
                            req.chunked()
                                    ? svc.raw(chunkedRequest(svc, req))
                                    : svc.post(req.body(), req.headers());
                } catch (Exception | AssertionError e) {
                    throw new AssertionError(where + ": no answer: " + e, e);
                }
                byStatus[r.status()]++;
                if (r.status() == 200) {
                    JsonNode ok = r.json();
                    assertTrue(ok.has("accepted") && ok.has("duplicates"), () -> where + ": " + r);
                    continue;
                }
                if (r.status() < 400 || r.status() > 499) fail(where + ": status " + r);
                try {
                    LoopbackService.assertCleanError(r);
                } catch (AssertionError e) {
                    throw new AssertionError(where + ": " + e.getMessage(), e);
                }
                String after = state(registry);
                if (!before.equals(after))
                    fail(
                            where
                                    + ": refused with "
                                    + r
                                    + " but the state changed: "
                                    + diff(before, after));
            }
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            System.out.printf(
                    "ingest fuzz: seed=%d, %d requests in %d s; 200: %d, 400: %d, 413: %d, 415: %d, 429: %d%n",
                    SEED,
                    CASES,
                    seconds,
                    byStatus[200],
                    byStatus[400],
                    byStatus[413],
                    byStatus[415],
                    byStatus[429]);
            assertTrue(
                    byStatus[200] > CASES / 20,
                    "seed=" + SEED + ": too few valid requests to mean anything: " + byStatus[200]);
            assertTrue(
                    byStatus[400] > CASES / 2,
                    "seed=" + SEED + ": too few refusals to mean anything: " + byStatus[400]);

            assertEquals(
                    200,
                    svc.get("/healthz", null).status(),
                    "seed=" + SEED + ": the service still answers /healthz");
            Events fresh =
                    Events.from("fuzz-0", "after-fuzz")
                            .startingAt(1)
                            .completed(now - 1000, 1, 10, 1, null);
            assertEquals(
                    200,
                    svc.ingest(fresh).status(),
                    "seed=" + SEED + ": the service still ingests");
        }
    }

    /**
     * Every app, its counters and newest batches. {@code restUp} is left out: the driver REST
     * poller sets it on its own schedule (the generated uiUrl answers nothing), independently of
     * any ingest request.
     */
    private static String state(AppRegistry registry) {
        StringBuilder sb = new StringBuilder();
        for (AppSnapshot a : registry.snapshots()) {
            sb.append(
                            a.toString()
                                    .replaceAll(
                                            "\\[J@[0-9a-f]+",
                                            "") // histogram arrays print their identity, not
                                    // content
                                    .replaceAll("rest=View\\[up=[a-z]+", ""))
                    .append(
                            a.batches().processingTime() == null
                                    ? ""
                                    : Arrays.toString(a.batches().processingTime().counts()))
                    .append(
                            a.batches().totalDelay() == null
                                    ? ""
                                    : Arrays.toString(a.batches().totalDelay().counts()))
                    .append('\n')
                    .append(registry.batches(a.app(), 5).orElseThrow())
                    .append('\n'); // with the counts above: any new batch shows
        }
        return sb.toString();
    }

    private static String diff(String before, String after) {
        List<String> a = List.of(before.split("\n"));
        List<String> b = List.of(after.split("\n"));
        StringBuilder out = new StringBuilder();
        for (String line : a) if (!b.contains(line)) out.append("\n- ").append(line);
        for (String line : b) if (!a.contains(line)) out.append("\n+ ").append(line);
        return out.toString();
    }

    record Request(
            byte[] body, String contentType, String encoding, boolean chunked, String description) {
        String[] headers() {
            List<String> h = new ArrayList<>(List.of("Authorization", "Bearer " + INGEST));
            if (contentType != null) h.addAll(List.of("Content-Type", contentType));
            if (encoding != null) h.addAll(List.of("Content-Encoding", encoding));
            return h.toArray(String[]::new);
        }
    }

    private static byte[] chunkedRequest(LoopbackService svc, Request req) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head =
                new StringBuilder(
                        "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:"
                                + svc.port()
                                + "\r\nAuthorization: Bearer "
                                + INGEST
                                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n");
        if (req.contentType() != null)
            head.append("Content-Type: ").append(req.contentType()).append("\r\n");
        if (req.encoding() != null)
            head.append("Content-Encoding: ").append(req.encoding()).append("\r\n");
        out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        byte[] body = req.body();
        Random split = new Random(body.length);
        for (int at = 0; at < body.length; ) {
            int n = Math.min(body.length - at, 1 + split.nextInt(700));
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            at += n;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    // ---- generation ----

    private Request next() {
        List<String> what = new ArrayList<>();
        ObjectNode root = validEnvelope(what);
        int treeMutations = rnd.nextInt(10) < 2 ? 0 : 1 + rnd.nextInt(3);
        for (int m = 0; m < treeMutations; m++) what.add(mutateTree(root));
        String text = root.toString();
        if (rnd.nextInt(4) == 0) {
            String[] r = mutateText(text);
            text = r[0];
            what.add(r[1]);
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        if (rnd.nextInt(25) == 0) {
            body = flipBytes(body);
            what.add("flipped bytes");
        }
        if (rnd.nextInt(10) == 0) body = mutateEncoding(body, what);
        String contentType = "application/json";
        if (rnd.nextInt(12) == 0) {
            contentType =
                    pick(
                            null,
                            "",
                            "text/plain",
                            "application/jsonx",
                            "application/json; charset=utf-16",
                            "application/xml",
                            "application/x-www-form-urlencoded",
                            "APPLICATION/JSON",
                            "application/json;charset=UTF-8",
                            "*/*",
                            "application/json; x=\"y\"");
            what.add("content-type " + contentType);
        }
        String encoding = null;
        int enc = rnd.nextInt(22);
        if (enc < 3) {
            encoding = "gzip";
            body = HostileInputTest.gzip(body);
            what.add("gzip");
        } else if (enc == 3) {
            encoding = "gzip";
            what.add("gzip header, plain body");
        } else if (enc == 4) {
            encoding = "gzip";
            byte[] gz = HostileInputTest.gzip(body);
            body = rnd.nextBoolean() ? Arrays.copyOf(gz, rnd.nextInt(gz.length)) : flipBytes(gz);
            what.add("gzip garbage");
        } else if (enc == 6 || enc == 7) {
            encoding = "gzip";
            body = hostileGzip(body, what);
        } else if (enc == 5) {
            encoding = pick("br", "deflate", "compress", "gzip, identity", "identity", " GZIP ");
            if (encoding.trim().equalsIgnoreCase("gzip")) body = HostileInputTest.gzip(body);
            what.add("content-encoding " + encoding);
        }
        boolean chunked = rnd.nextInt(15) == 0;
        if (chunked) what.add("chunked");
        return new Request(body, contentType, encoding, chunked, String.join("; ", what));
    }

    private ObjectNode validEnvelope(List<String> what) {
        String app = "fuzz-" + rnd.nextInt(rnd.nextInt(10) == 0 ? 40 : 8);
        Events e = Events.from(app, "app-" + rnd.nextInt(3)).startingAt(1 + rnd.nextInt(1_000_000));
        long t = now - rnd.nextInt(3_600_000);
        int n = 1 + rnd.nextInt(6);
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long bt = t + i * 1000L;
            switch (rnd.nextInt(8)) {
                case 0 -> e.heartbeat(bt);
                case 1 -> e.streamingStarted(bt, 1 + rnd.nextInt(10_000));
                case 2 -> e.submitted(bt);
                case 3 -> {
                    ObjectNode s = e.event("appStart", bt);
                    s.put("appName", "app " + rnd.nextInt(100));
                    s.put("startTime", bt);
                    s.put("user", "spark");
                }
                case 4 -> e.receiverError(bt, rnd.nextInt(3), "error " + rnd.nextInt(100));
                default -> {
                    e.completed(
                            bt,
                            rnd.nextInt(5000),
                            rnd.nextInt(20_000),
                            rnd.nextInt(1_000_000),
                            rnd.nextInt(5) == 0 ? "boom" : null);
                    if (rnd.nextBoolean()) {
                        ObjectNode batch = (ObjectNode) last(e.root()).get("batch");
                        ObjectNode in = ((ArrayNode) batch.get("inputs")).addObject();
                        in.put("streamId", 0)
                                .put("records", 10)
                                .put("description", "kafka\ttopic\n");
                        in.putArray("offsets")
                                .addObject()
                                .put("topic", "orders")
                                .put("partition", rnd.nextInt(8))
                                .put("fromOffset", 100)
                                .put("untilOffset", 110);
                    }
                }
            }
            kinds.add(last(e.root()).get("type").asText());
        }
        what.add(app + " " + kinds);
        return e.root();
    }

    private static JsonNode last(ObjectNode root) {
        JsonNode events = root.get("events");
        return events.get(events.size() - 1);
    }

    /** A place in the tree: a field of an object or an element of an array. */
    private record Slot(JsonNode parent, String field, int index, String path) {
        JsonNode get() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode v) {
            if (field != null) ((ObjectNode) parent).set(field, v);
            else ((ArrayNode) parent).set(index, v);
        }

        void remove() {
            if (field != null) ((ObjectNode) parent).remove(field);
            else ((ArrayNode) parent).remove(index);
        }
    }

    private static void slots(JsonNode node, String path, List<Slot> out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            for (String f : names) {
                out.add(new Slot(node, f, -1, path + "." + f));
                slots(node.get(f), path + "." + f, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(new Slot(node, null, i, path + "[" + i + "]"));
                slots(node.get(i), path + "[" + i + "]", out);
            }
        }
    }

    private String mutateTree(ObjectNode root) {
        List<Slot> all = new ArrayList<>();
        slots(root, "", all);
        if (all.isEmpty()) return "nothing to mutate";
        Slot s = all.get(rnd.nextInt(all.size()));
        JsonNode v = s.get();
        switch (rnd.nextInt(12)) {
            case 0 -> {
                s.remove();
                return "delete " + s.path();
            }
            case 1 -> {
                JsonNode r = randomValue(0);
                s.set(r);
                return "retype " + s.path() + " = " + clip(r.toString());
            }
            case 2 -> {
                JsonNode r = badNumber();
                s.set(r);
                return "number " + s.path() + " = " + clip(r.toString());
            }
            case 3 -> {
                String txt = v.isTextual() ? v.asText() : "x";
                String c =
                        pick(
                                "\u0000",
                                "\u0001",
                                "\u0007",
                                "\n",
                                "\r",
                                "\t",
                                "\u001b[31m",
                                "\u007f",
                                "\u0085",
                                "\u2028",
                                "\u202e",
                                "\ufeff",
                                "\u200b",
                                "\u200d",
                                "\u2060",
                                "\u00ad",
                                "\u061c",
                                "\udb40\udc41");
                int at = rnd.nextInt(txt.length() + 1);
                s.set(NODES.textNode(txt.substring(0, at) + c + txt.substring(at)));
                return "control or format char U+"
                        + String.format("%04X", c.codePointAt(0))
                        + " in "
                        + s.path();
            }
            case 4 -> {
                s.set(nest(10 + rnd.nextInt(25)));
                return "deep nesting at " + s.path();
            }
            case 5 -> {
                ObjectNode event = randomEvent(root);
                if (event == null) return "no event to swap";
                String type =
                        rnd.nextInt(4) == 0
                                ? pick("batchExploded", "Heartbeat", "", "batch_completed")
                                : pick(TYPES);
                event.put("type", type);
                return "event type -> '" + type + "'";
            }
            case 6 -> {
                String big = randomText(200 + rnd.nextInt(10_000));
                s.set(NODES.textNode(big));
                return "long string (" + big.length() + ") at " + s.path();
            }
            case 7 -> {
                if (!(s.parent() instanceof ObjectNode o)) return "no field to add";
                String name = randomText(1 + rnd.nextInt(20));
                o.set(name, randomValue(0));
                return "unknown field '" + clip(name) + "' beside " + s.path();
            }
            case 8 -> {
                long ts =
                        pickLong(
                                0L,
                                -1L,
                                1L,
                                now / 1000,
                                now + 2L * 86_400_000L,
                                now * 1000,
                                Long.MAX_VALUE,
                                Long.MIN_VALUE,
                                946_684_799_999L);
                s.set(NODES.numberNode(ts));
                return "timestamp-ish " + ts + " at " + s.path();
            }
            case 9 -> {
                if (!(root.get("events") instanceof ArrayNode events) || events.isEmpty())
                    return "no events to multiply";
                JsonNode one = events.get(rnd.nextInt(events.size()));
                int copies = rnd.nextBoolean() ? 101 + rnd.nextInt(50) : 1 + rnd.nextInt(5);
                for (int i = 0; i < copies; i++) events.add(one.deepCopy());
                return "duplicate an event x" + copies;
            }
            case 10 -> {
                if (v.isIntegralNumber()) {
                    s.set(NODES.textNode(v.asText()));
                    return "number as string at " + s.path();
                }
                s.set(NODES.nullNode());
                return "null at " + s.path();
            }
            default -> {
                JsonNode replacement =
                        pick(
                                NODES.nullNode(),
                                NODES.arrayNode(),
                                NODES.numberNode(42),
                                NODES.textNode("x"),
                                NODES.booleanNode(true),
                                NODES.objectNode());
                if (rnd.nextInt(6) == 0) {
                    root.removeAll();
                    root.setAll((ObjectNode) NODES.objectNode().set("schema", replacement));
                    return "envelope replaced";
                }
                s.set(replacement);
                return "replace " + s.path() + " with " + replacement;
            }
        }
    }

    private ObjectNode randomEvent(ObjectNode root) {
        JsonNode events = root.get("events");
        if (events == null || !events.isArray() || events.isEmpty()) return null;
        JsonNode e = events.get(rnd.nextInt(events.size()));
        return e.isObject() ? (ObjectNode) e : null;
    }

    private static final Pattern NUMBER = Pattern.compile("(?<=:)-?\\d+(?=[,}\\]])");
    private static final Pattern KEY = Pattern.compile("\"([A-Za-z]+)\":");
    private static final Pattern STRING = Pattern.compile("\"[^\"\\\\]*\"(?=[,}\\]])");

    /**
     * Mutations only text can express: not-JSON numbers, duplicate keys, lone surrogates,
     * truncation.
     */
    private String[] mutateText(String text) {
        switch (rnd.nextInt(7)) {
            case 0 -> {
                String literal =
                        pick(
                                "NaN",
                                "-NaN",
                                "Infinity",
                                "-Infinity",
                                "1e999",
                                "-1e999",
                                "0042",
                                "1.0e3",
                                "-0",
                                "0x10",
                                "+1",
                                "9".repeat(40),
                                "1_000",
                                ".5");
                return new String[] {
                    replaceRandom(text, NUMBER, literal), "number literal " + literal
                };
            }
            case 1 -> {
                Matcher m = KEY.matcher(text);
                List<int[]> at = new ArrayList<>();
                List<String> names = new ArrayList<>();
                while (m.find()) {
                    at.add(new int[] {m.start(), m.end()});
                    names.add(m.group(1));
                }
                if (at.isEmpty()) return new String[] {text, "no key to duplicate"};
                int k = rnd.nextInt(at.size());
                int end = at.get(k)[1];
                return new String[] {
                    text.substring(0, end) + "0,\"" + names.get(k) + "\":" + text.substring(end),
                    "duplicate key '" + names.get(k) + "'"
                };
            }
            case 2 -> {
                String esc = pick("\\ud800", "\\udfff", "\\ud800\\u0041", "\\u0000", "\\u001f");
                return new String[] {
                    replaceRandom(text, STRING, "\"x" + esc + "y\""),
                    "escape " + esc + " in a string"
                };
            }
            case 3 -> {
                int cut = rnd.nextInt(text.length() + 1);
                return new String[] {text.substring(0, cut), "truncated at " + cut};
            }
            case 4 -> {
                String whole =
                        pick(
                                "",
                                "null",
                                "[]",
                                "42",
                                "\"x\"",
                                "true",
                                "{}",
                                " ",
                                "[" + text + "]",
                                text + text,
                                text + " x",
                                "{\"schema\":1}",
                                "\ufeff" + text);
                return new String[] {whole, "whole body '" + clip(whole) + "'"};
            }
            case 5 -> {
                String raw = pick("\u0001", "'", "//", "/*", "\\", "}", "]", ",,", "\"");
                int at = rnd.nextInt(text.length() + 1);
                return new String[] {
                    text.substring(0, at) + raw + text.substring(at), "raw '" + raw + "' at " + at
                };
            }
            default -> {
                byte[] random = new byte[rnd.nextInt(300)];
                rnd.nextBytes(random);
                return new String[] {
                    new String(random, StandardCharsets.ISO_8859_1),
                    "random bytes (" + random.length + ")"
                };
            }
        }
    }

    private String replaceRandom(String text, Pattern p, String replacement) {
        Matcher m = p.matcher(text);
        List<int[]> at = new ArrayList<>();
        while (m.find()) at.add(new int[] {m.start(), m.end()});
        if (at.isEmpty()) return text;
        int[] r = at.get(rnd.nextInt(at.size()));
        return text.substring(0, r[0]) + replacement + text.substring(r[1]);
    }

    /**
     * Issue 16's encodings: overlong UTF-8, UTF-8-encoded surrogates, code points above U+10FFFF,
     * UTF-16 and UTF-32 bodies, a byte order mark.
     */
    private byte[] mutateEncoding(byte[] body, List<String> what) {
        String text = new String(body, StandardCharsets.UTF_8);
        switch (rnd.nextInt(5)) {
            case 0 -> {
                byte[][] seqs = {
                    {(byte) 0xC0, (byte) 0xAF},
                    {(byte) 0xC0, (byte) 0x80},
                    {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                    {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF},
                    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}
                };
                byte[] seq = seqs[rnd.nextInt(seqs.length)];
                List<Integer> quotes = new ArrayList<>();
                for (int i = 0; i < body.length; i++) if (body[i] == '"') quotes.add(i);
                if (quotes.isEmpty()) return body;
                int at = quotes.get(rnd.nextInt(quotes.size())) + 1;
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(body, 0, at);
                out.writeBytes(seq);
                out.write(body, at, body.length - at);
                what.add("bad UTF-8 " + java.util.HexFormat.of().formatHex(seq) + " at " + at);
                return out.toByteArray();
            }
            case 1 -> {
                what.add("UTF-16LE");
                return text.getBytes(StandardCharsets.UTF_16LE);
            }
            case 2 -> {
                what.add("UTF-16 with BOM");
                return text.getBytes(StandardCharsets.UTF_16);
            }
            case 3 -> {
                what.add("UTF-32");
                return text.getBytes(java.nio.charset.Charset.forName("UTF-32"));
            }
            default -> {
                what.add("UTF-8 BOM");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                out.writeBytes(body);
                return out.toByteArray();
            }
        }
    }

    /** Issue 16's gzip shapes: trailing bytes, a second member, bombs of tiny nodes. */
    private byte[] hostileGzip(byte[] body, List<String> what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                out.writeBytes(HostileInputTest.gzip(body));
                byte[] tail = new byte[1 + rnd.nextInt(16)];
                if (rnd.nextBoolean()) rnd.nextBytes(tail);
                out.writeBytes(tail);
                what.add("gzip + " + tail.length + " trailing bytes");
            }
            case 1 -> {
                out.writeBytes(HostileInputTest.gzip(body));
                out.writeBytes(HostileInputTest.gzip(rnd.nextBoolean() ? body : new byte[0]));
                what.add("two gzip members");
            }
            case 2 -> {
                int n = rnd.nextBoolean() ? 20_000 : 400_000;
                String unit = pick("[],", "{},", "0,", "\"\",");
                String bomb = "{\"schema\":1,\"x\":[" + unit.repeat(n) + "0]}";
                out.writeBytes(HostileInputTest.gzip(bomb.getBytes(StandardCharsets.UTF_8)));
                what.add("gzip bomb " + unit + " x" + n);
            }
            default -> {
                String text = new String(body, StandardCharsets.UTF_8);
                int n = rnd.nextBoolean() ? 9_000 : 300_000;
                String bombed =
                        text.replaceFirst(
                                "\"inputs\":\\[\\]", "\"inputs\":[" + "{},".repeat(n) + "{}]");
                out.writeBytes(HostileInputTest.gzip(bombed.getBytes(StandardCharsets.UTF_8)));
                what.add("gzip bomb of " + n + " inputs");
            }
        }
        return out.toByteArray();
    }

    private byte[] flipBytes(byte[] body) {
        if (body.length == 0) return body;
        byte[] copy = body.clone();
        int n = 1 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) copy[rnd.nextInt(copy.length)] = (byte) rnd.nextInt(256);
        return copy;
    }

    private JsonNode badNumber() {
        return switch (rnd.nextInt(10)) {
            case 0 -> NODES.numberNode(-1 - rnd.nextInt(1000));
            case 1 -> NODES.numberNode(Long.MAX_VALUE);
            case 2 -> NODES.numberNode(Long.MIN_VALUE);
            case 3 -> NODES.numberNode(new BigInteger("9".repeat(20 + rnd.nextInt(20))));
            case 4 -> NODES.numberNode(rnd.nextDouble() * 1e6);
            case 5 -> NODES.numberNode(-0.5);
            case 6 -> NODES.textNode(pick("NaN", "Infinity", "-1", "1e3", "0x1F", "", " 5"));
            case 7 -> NODES.numberNode(Integer.MAX_VALUE + 1L);
            case 8 ->
                    rnd.nextBoolean()
                            ? NODES.numberNode(0)
                            : NODES.numberNode(
                                    pickLong(
                                            1_000_000_001L,
                                            Long.MAX_VALUE / 4,
                                            1L << 53,
                                            (1L << 53) - 1,
                                            1_000_001L,
                                            1_000_000L,
                                            1_000_000_000L));
            default ->
                    NODES.numberNode(
                            new java.math.BigDecimal("1e308").multiply(java.math.BigDecimal.TEN));
        };
    }

    private JsonNode randomValue(int depth) {
        return switch (rnd.nextInt(depth > 2 ? 5 : 7)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(rnd.nextBoolean());
            case 2 -> NODES.numberNode(rnd.nextLong());
            case 3 -> NODES.textNode(randomText(rnd.nextInt(30)));
            case 4 -> NODES.numberNode(rnd.nextGaussian());
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = rnd.nextInt(4); i > 0; i--) a.add(randomValue(depth + 1));
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = rnd.nextInt(4); i > 0; i--)
                    o.set(randomText(1 + rnd.nextInt(8)), randomValue(depth + 1));
                yield o;
            }
        };
    }

    private JsonNode nest(int depth) {
        JsonNode n = NODES.numberNode(1);
        for (int i = 0; i < depth; i++) {
            n = rnd.nextBoolean() ? NODES.arrayNode().add(n) : NODES.objectNode().set("a", n);
        }
        return n;
    }

    private String randomText(int length) {
        StringBuilder sb = new StringBuilder(length);
        int[] cps = ALPHABET.codePoints().toArray();
        while (sb.length() < length) sb.appendCodePoint(cps[rnd.nextInt(cps.length)]);
        return sb.toString();
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    private long pickLong(long... options) {
        return options[rnd.nextInt(options.length)];
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
