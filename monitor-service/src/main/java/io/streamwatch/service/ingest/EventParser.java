package io.streamwatch.service.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamwatch.service.model.Event;
import io.streamwatch.service.model.Event.Batch;
import io.streamwatch.service.model.Event.BatchPhase;
import io.streamwatch.service.model.Event.ReceiverPhase;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.model.Source;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns an ingest body into a validated {@link IngestBatch}, or rejects it with a message naming the
 * offending field ({@code events[3].batch.processingTimeMs: must be >= 0, got -5}). Strict by design:
 * unknown fields, unknown event types, wrong types, NaN, absurd timestamps and control characters in
 * names are all refused, so a buggy producer is caught at once instead of corrupting history.
 */
public final class EventParser {
    public static final int SCHEMA_VERSION = 1;
    static final long MIN_EPOCH_MS = 946_684_800_000L; // 2000-01-01
    static final long MAX_FUTURE_MS = 86_400_000L;
    static final long MAX_DURATION_MS = 366L * 86_400_000L;
    static final int NAME_MAX = 200;
    static final int INFO_MAX = 500;
    static final int TEXT_MAX = 8192;
    static final int LIST_MAX = 10_000;

    private final ObjectMapper mapper;
    private final Clock clock;
    private final int maxEvents;

    public EventParser(Clock clock, int maxEvents) {
        this.clock = clock;
        this.maxEvents = maxEvents;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(16)
                        .maxStringLength(64 * 1024)
                        .maxNumberLength(32)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    public IngestBatch parse(byte[] body) {
        if (body.length == 0) {
            throw RejectedException.badRequest("body is empty: send a JSON object {\"schema\":1,\"source\":{...},\"events\":[...]}");
        }
        JsonNode root;
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            try {
                root = mapper.readTree(p);
            } catch (StreamConstraintsException e) {
                throw RejectedException.badRequest("body" + where(p) + ": " + constraint(e.getOriginalMessage()));
            } catch (JsonProcessingException e) {
                throw RejectedException.badRequest("body is not valid JSON" + where(p) + ": " + jsonProblem(e));
            }
        } catch (IOException e) {
            // only closing can get here: the body is in memory
            throw RejectedException.badRequest("body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw RejectedException.badRequest("body: must be a JSON object {\"schema\":1,\"source\":{...},\"events\":[...]}");
        }
        Obj env = new Obj(root, "");
        env.only("schema", "source", "dropped", "queued", "events");
        long schema = env.requiredLong("schema", 0, Long.MAX_VALUE);
        if (schema != SCHEMA_VERSION) {
            throw RejectedException.badRequest("schema: unsupported version " + schema + "; this service accepts " + SCHEMA_VERSION);
        }
        Source source = source(env.object("source"));
        long dropped = env.optionalLong("dropped", 0, Long.MAX_VALUE, 0);
        long queued = env.optionalLong("queued", 0, Long.MAX_VALUE, 0);
        JsonNode events = env.array("events", maxEvents);
        long now = clock.millis();
        List<Event> out = new ArrayList<>(events.size());
        long lastSeq = 0;
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            String where = "events[" + i + "]";
            if (!e.isObject()) {
                throw RejectedException.badRequest(where + ": must be an object with a \"type\"");
            }
            Event event = event(new Obj(e, where + "."), now);
            if (event.seq() != 0) {
                if (event.seq() <= lastSeq) {
                    throw RejectedException.badRequest(where + ".seq: must be greater than the previous event's seq " + lastSeq + ", got " + event.seq());
                }
                lastSeq = event.seq();
            }
            out.add(event);
        }
        return new IngestBatch(source, dropped, queued, out);
    }

    private Source source(Obj s) {
        s.only("app", "appId", "attemptId", "instance", "sparkVersion", "uiUrl", "host", "listenerVersion");
        return new Source(
                s.name("app", NAME_MAX),
                s.name("appId", NAME_MAX),
                s.optionalName("attemptId", NAME_MAX),
                s.name("instance", 100),
                s.optionalLabel("sparkVersion", INFO_MAX),
                uiUrl(s),
                s.optionalLabel("host", INFO_MAX),
                s.optionalLabel("listenerVersion", INFO_MAX));
    }

    /** The driver UI the REST poller will call: an absolute http(s) URL with a host, nothing else. */
    private static String uiUrl(Obj s) {
        String url = s.optionalLabel("uiUrl", INFO_MAX);
        if (url == null) return null;
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String authority = u.getRawAuthority(); // not getHost(): host names with '_' (containers) are valid here
            if ((scheme.equals("http") || scheme.equals("https")) && authority != null && !authority.contains("@")) return url;
        } catch (URISyntaxException e) {
            // reported below
        }
        throw RejectedException.badRequest("source.uiUrl: must be an http(s) URL such as http://driver:4040, got '" + Obj.clip(url) + "'");
    }

    private Event event(Obj e, long now) {
        String type = e.name("type", 50);
        long time = e.timestamp("time", now);
        return switch (type) {
            case "heartbeat" -> {
                e.only("type", "time");
                yield new Event.Heartbeat(time);
            }
            case "appStart" -> {
                e.only("type", "time", "seq", "appName", "startTime", "user");
                yield new Event.AppStart(seq(e), time, e.optionalText("appName", INFO_MAX), e.timestamp("startTime", now),
                        e.optionalText("user", INFO_MAX));
            }
            case "appEnd" -> {
                e.only("type", "time", "seq", "endTime");
                yield new Event.AppEnd(seq(e), time, e.timestamp("endTime", now));
            }
            case "streamingStarted" -> {
                e.only("type", "time", "seq", "startTime", "batchIntervalMs");
                Long interval = e.optionalDuration("batchIntervalMs");
                if (interval != null && interval == 0) {
                    throw RejectedException.badRequest(e.path + "batchIntervalMs: must be > 0 or null, got 0");
                }
                yield new Event.StreamingStarted(seq(e), time, e.timestamp("startTime", now), interval);
            }
            case "batchSubmitted" -> batchEvent(e, time, now, BatchPhase.SUBMITTED);
            case "batchStarted" -> batchEvent(e, time, now, BatchPhase.STARTED);
            case "batchCompleted" -> batchEvent(e, time, now, BatchPhase.COMPLETED);
            case "receiverStarted" -> receiverEvent(e, time, ReceiverPhase.STARTED);
            case "receiverStopped" -> receiverEvent(e, time, ReceiverPhase.STOPPED);
            case "receiverError" -> receiverEvent(e, time, ReceiverPhase.ERROR);
            default -> throw RejectedException.badRequest(e.path + "type: unknown event type '" + type
                    + "'; known: heartbeat, appStart, appEnd, streamingStarted, batchSubmitted, batchStarted, "
                    + "batchCompleted, receiverStarted, receiverStopped, receiverError");
        };
    }

    private static long seq(Obj e) {
        return e.requiredLong("seq", 1, Long.MAX_VALUE);
    }

    private Event batchEvent(Obj e, long time, long now, BatchPhase phase) {
        e.only("type", "time", "seq", "batch");
        long seq = seq(e);
        Obj b = e.object("batch");
        b.only("batchTime", "submissionTime", "processingStartTime", "processingEndTime", "schedulingDelayMs",
                "processingTimeMs", "totalDelayMs", "records", "inputs", "outputOps", "failed", "failureReason");
        boolean completed = phase == BatchPhase.COMPLETED;
        Long start = completed ? (Long) b.timestamp("processingStartTime", now) : b.optionalTimestamp("processingStartTime", now);
        Long end = completed ? (Long) b.timestamp("processingEndTime", now) : b.optionalTimestamp("processingEndTime", now);
        Long sched = completed ? (Long) b.duration("schedulingDelayMs") : b.optionalDuration("schedulingDelayMs");
        Long proc = completed ? (Long) b.duration("processingTimeMs") : b.optionalDuration("processingTimeMs");
        Long total = completed ? (Long) b.duration("totalDelayMs") : b.optionalDuration("totalDelayMs");
        if (start != null && end != null && end < start) {
            throw RejectedException.badRequest(b.path + "processingEndTime: " + end + " is before processingStartTime " + start);
        }
        List<Event.Input> inputs = new ArrayList<>();
        JsonNode in = b.optionalArray("inputs", LIST_MAX);
        for (int i = 0; in != null && i < in.size(); i++) {
            inputs.add(input(b.element(in, "inputs", i)));
        }
        List<Event.OutputOp> ops = new ArrayList<>();
        JsonNode outs = b.optionalArray("outputOps", LIST_MAX);
        for (int i = 0; outs != null && i < outs.size(); i++) {
            Obj o = b.element(outs, "outputOps", i);
            o.only("id", "name", "failureReason");
            ops.add(new Event.OutputOp((int) o.requiredLong("id", 0, Integer.MAX_VALUE), o.optionalText("name", TEXT_MAX),
                    o.optionalText("failureReason", TEXT_MAX)));
        }
        Batch batch = new Batch(b.timestamp("batchTime", now), b.timestamp("submissionTime", now), start, end, sched, proc, total,
                b.requiredLong("records", 0, Long.MAX_VALUE / 4), inputs, ops,
                b.optionalBool("failed", false), b.optionalText("failureReason", TEXT_MAX));
        return new Event.BatchEvent(seq, time, phase, batch);
    }

    private Event.Input input(Obj in) {
        in.only("streamId", "records", "description", "offsets");
        List<Event.OffsetRange> offsets = new ArrayList<>();
        JsonNode arr = in.optionalArray("offsets", LIST_MAX);
        for (int i = 0; arr != null && i < arr.size(); i++) {
            Obj o = in.element(arr, "offsets", i);
            o.only("topic", "partition", "fromOffset", "untilOffset");
            String topic = o.name("topic", 249);
            int partition = (int) o.requiredLong("partition", 0, Integer.MAX_VALUE);
            long from = o.requiredLong("fromOffset", 0, Long.MAX_VALUE);
            long until = o.requiredLong("untilOffset", 0, Long.MAX_VALUE);
            if (until < from) {
                throw RejectedException.badRequest(o.path + "untilOffset: " + until + " is below fromOffset " + from);
            }
            offsets.add(new Event.OffsetRange(topic, partition, from, until));
        }
        return new Event.Input((int) in.requiredLong("streamId", 0, Integer.MAX_VALUE), in.requiredLong("records", 0, Long.MAX_VALUE / 4),
                in.optionalText("description", TEXT_MAX), offsets);
    }

    private Event receiverEvent(Obj e, long time, ReceiverPhase phase) {
        e.only("type", "time", "seq", "receiver");
        long seq = seq(e);
        Obj r = e.object("receiver");
        r.only("streamId", "name", "active", "location", "executorId", "lastErrorMessage", "lastError");
        Event.Receiver receiver = new Event.Receiver((int) r.requiredLong("streamId", 0, Integer.MAX_VALUE),
                r.optionalText("name", INFO_MAX), r.optionalBool("active", phase != ReceiverPhase.STOPPED),
                r.optionalText("location", INFO_MAX), r.optionalText("executorId", INFO_MAX),
                r.optionalText("lastErrorMessage", TEXT_MAX), r.optionalText("lastError", TEXT_MAX));
        return new Event.ReceiverEvent(seq, time, phase, receiver);
    }

    /** Where the parser stopped, as a field path ({@code " at events[2].batch"}), or "" at the top. */
    private static String where(JsonParser p) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                path.insert(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                path.insert(0, "." + clipName(c.getCurrentName()));
            }
        }
        if (path.length() == 0) return "";
        String s = path.charAt(0) == '.' ? path.substring(1) : path.toString();
        return " at " + (s.length() > 200 ? s.substring(0, 200) + "..." : s);
    }

    /** A client-supplied field name, fit to be echoed: short, printable, valid Unicode. */
    private static String clipName(String name) {
        String c = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return c.replaceAll("[\\p{Cntrl}\\x{D800}-\\x{DFFF}\\x{2028}\\x{2029}\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]", "?");
    }

    /** Jackson's limit messages name its own classes; say the limit in the service's words instead. */
    private static String constraint(String message) {
        String m = message == null ? "" : message;
        if (m.startsWith("Document nesting depth")) return "JSON is nested more than 16 levels deep";
        if (m.startsWith("Number value length")) return "a number has more than 32 characters";
        if (m.startsWith("String value length")) return "a string is longer than 65536 characters";
        if (m.startsWith("Name length")) return "a field name is too long";
        return "exceeds a parser limit (nesting depth 16, numbers of 32 characters, strings of 65536 characters)";
    }

    /**
     * Jackson's description of a syntax error, without its source excerpt, location suffix or hints
     * that name its configuration classes, plus the line and column.
     */
    private static String jsonProblem(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (m.startsWith("Trailing token")) return "more content after the JSON object; send exactly one object";
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        m = m.replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "")
                .replaceAll("\\[Source:.*?\\]", "")
                .replaceAll("[;:]?\\s*enable `[^`]*`[^;)]*", "")
                .replaceAll("\\s*\\(not recognized as one since Feature '[^']*' not enabled for parser\\)", "")
                .replaceAll("`[^`]*`", "")
                .replaceAll("\\p{Cntrl}", "?")
                .trim();
        if (m.length() > 200) m = m.substring(0, 200) + "...";
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) m += " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        return m;
    }

    /** Reads typed fields of one JSON object; every failure names {@code path + field}. */
    private static final class Obj {
        final JsonNode node;
        final String path;

        Obj(JsonNode node, String path) {
            this.node = node;
            this.path = path;
        }

        private RejectedException bad(String field, String problem) {
            return RejectedException.badRequest(path + field + ": " + problem);
        }

        void only(String... allowed) {
            Set<String> ok = Set.of(allowed);
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!ok.contains(f)) {
                    throw RejectedException.badRequest(path + clip(f) + ": unknown field (allowed here: " + String.join(", ", allowed) + ")");
                }
            }
        }

        private JsonNode present(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) throw bad(field, "required");
            return v;
        }

        Obj object(String field) {
            JsonNode v = present(field);
            if (!v.isObject()) throw bad(field, "must be an object");
            return new Obj(v, path + field + ".");
        }

        Obj element(JsonNode array, String field, int i) {
            JsonNode v = array.get(i);
            if (!v.isObject()) throw bad(field + "[" + i + "]", "must be an object");
            return new Obj(v, path + field + "[" + i + "].");
        }

        JsonNode array(String field, int max) {
            JsonNode v = present(field);
            if (!v.isArray()) throw bad(field, "must be an array");
            if (v.size() > max) throw bad(field, "at most " + max + " entries per request, got " + v.size() + "; send smaller requests");
            return v;
        }

        JsonNode optionalArray(String field, int max) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) return null;
            return array(field, max);
        }

        long requiredLong(String field, long min, long max) {
            JsonNode v = present(field);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw bad(field, "must be a whole number, got " + describe(v));
            }
            long n = v.asLong();
            if (n < min) throw bad(field, "must be >= " + min + ", got " + n);
            if (n > max) throw bad(field, "must be <= " + max + ", got " + n);
            return n;
        }

        long optionalLong(String field, long min, long max, long def) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? def : requiredLong(field, min, max);
        }

        long timestamp(String field, long now) {
            long t = requiredLong(field, Long.MIN_VALUE, Long.MAX_VALUE);
            if (t < MIN_EPOCH_MS || t > now + MAX_FUTURE_MS) {
                throw bad(field, "must be epoch milliseconds between 2000-01-01 and one day from now, got " + t);
            }
            return t;
        }

        Long optionalTimestamp(String field, long now) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? null : timestamp(field, now);
        }

        long duration(String field) {
            return requiredLong(field, 0, MAX_DURATION_MS);
        }

        Long optionalDuration(String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? null : duration(field);
        }

        boolean optionalBool(String field, boolean def) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) return def;
            if (!v.isBoolean()) throw bad(field, "must be true or false, got " + describe(v));
            return v.asBoolean();
        }

        /** A name: non-blank, bounded, one line of visible text (see {@link #optionalLabel}). */
        String name(String field, int max) {
            String s = optionalName(field, max);
            if (s == null) throw bad(field, "required");
            return s;
        }

        String optionalName(String field, int max) {
            String s = optionalLabel(field, max);
            if (s != null && s.isBlank()) throw bad(field, "must not be blank");
            return s;
        }

        /**
         * Text that ends up in a metric label, a link or a log line: no control characters, no line or
         * paragraph separators and no bidirectional overrides, which could forge or hide output.
         */
        String optionalLabel(String field, int max) {
            String s = optionalText(field, max);
            if (s == null) return null;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || (c >= '\u202A' && c <= '\u202E')
                        || (c >= '\u2066' && c <= '\u2069') || c == '\uFEFF') {
                    throw bad(field, "must not contain control characters (found U+" + String.format("%04X", (int) c) + ")");
                }
            }
            return s;
        }

        /** Free text (failure reasons may span lines): bounded, valid Unicode, no NUL. */
        String optionalText(String field, int max) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isTextual()) throw bad(field, "must be a string, got " + describe(v));
            String s = v.asText();
            if (s.length() > max) throw bad(field, "at most " + max + " characters, got " + s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == 0) throw bad(field, "must not contain NUL (U+0000)");
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw bad(field, "must be valid Unicode (found an unpaired surrogate U+" + String.format("%04X", (int) c) + ")");
                }
            }
            return s;
        }

        private static String describe(JsonNode v) {
            if (v.isTextual()) return "a string";
            if (v.isFloatingPointNumber()) return "a fraction " + v.asText();
            if (v.isIntegralNumber()) return v.canConvertToLong() ? "a number " + v.asText() : "a number too large";
            return v.getNodeType().name().toLowerCase();
        }

        static String clip(String s) {
            return clipName(s);
        }
    }
}
