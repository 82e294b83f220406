package io.streamwatch.listener;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.streaming.SinkProgress;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import scala.Option;

/**
 * Turns Spark's {@code StreamingQueryListener} events into the protocol's {@code queryStarted},
 * {@code queryProgress}, {@code queryIdle} and {@code queryTerminated} (docs/PROTOCOL.md). The only
 * class of the listener that links against spark-sql; created by {@link QueryEvents} when the first
 * query event arrives and confined to the shipper thread.
 *
 * <p>Only accessors that Spark 3.4 to 4.2 all have are called directly; {@code QueryIdleEvent} and
 * {@code QueryTerminatedEvent.errorClassOnException} (3.5+) are read by reflection, and so is the
 * trigger ({@link TriggerReader}). Never {@code json()}: its types changed in 4.x. Every value is
 * cut or dropped to the service's bounds, so one odd query cannot get a whole request rejected.
 */
final class QueryEventEncoder {
    static final int MAX_TEXT_CHARS = 2048;
    static final int MAX_NAME_CHARS = 200;
    static final int MAX_ERROR_CLASS_CHARS = 200;
    static final int MAX_OFFSET_CHARS = 65_536;
    static final int MAX_METRICS = 50;
    static final int MAX_METRIC_CHARS = 200;
    static final int MAX_DURATIONS = 50;
    static final int MAX_EVENT_TIMES = 10;
    static final int MAX_STATE_OPERATORS = 100;
    static final int MAX_SOURCES = 100;
    static final int MAX_RUNS_REMEMBERED = 1024;

    /** Half the service's default request limit (1 MiB): one event always fits a request. */
    static final int MAX_EVENT_CHARS = Shipper.MAX_BATCH_CHARS;

    /** Finds a run's trigger; {@link TriggerReader} in production. */
    interface TriggerLookup {
        /** The trigger of that run, or null while it cannot be found. Never throws. */
        TriggerReader.Trigger read(UUID id, UUID runId);
    }

    private final JsonFactory json;
    private final TriggerLookup triggers;
    private final Map<UUID, String> names = lru();
    private final Map<UUID, TriggerState> triggerStates = lru();

    QueryEventEncoder(JsonFactory json) {
        this(json, new TriggerReader());
    }

    QueryEventEncoder(JsonFactory json, TriggerLookup triggers) {
        this.json = json;
        this.triggers = triggers;
    }

    /** The protocol event, or null for a query event class this listener does not know. */
    EncodedEvent encode(QueuedEvent queued) throws IOException {
        Object event = queued.event();
        String kind = eventKind(event.getClass());
        StreamingQueryProgress progress = null;
        if ("QueryProgressEvent".equals(kind)) {
            progress = ((StreamingQueryListener.QueryProgressEvent) event).progress();
            if (progress.batchId() >= 0) {
                return progressEvent(queued, progress);
            }
        }
        StringWriter out = new StringWriter(256);
        JsonGenerator g = json.createGenerator(out);
        String type;
        boolean urgent;
        if (progress != null) {
            // no micro-batch yet: only says the query is alive
            type = "queryIdle";
            urgent = false;
            start(g, type, queued);
            writeIdle(
                    g,
                    progress.id(),
                    progress.runId(),
                    remember(progress.runId(), progress.name()),
                    progress.timestamp(),
                    queued.time());
        } else if ("QueryStartedEvent".equals(kind)) {
            StreamingQueryListener.QueryStartedEvent e =
                    (StreamingQueryListener.QueryStartedEvent) event;
            type = "queryStarted";
            urgent = false;
            start(g, type, queued);
            writeIds(g, e.id(), e.runId(), remember(e.runId(), e.name()));
            EventEncoder.writeNullableNumber(g, "timestamp", epochMs(e.timestamp()));
            writeTrigger(g, triggerOf(e.id(), e.runId()));
        } else if ("QueryIdleEvent".equals(kind)) {
            type = "queryIdle";
            urgent = false;
            start(g, type, queued);
            UUID runId = (UUID) call(event, "runId");
            writeIdle(
                    g,
                    (UUID) call(event, "id"),
                    runId,
                    names.get(runId),
                    (String) call(event, "timestamp"),
                    queued.time());
        } else if ("QueryTerminatedEvent".equals(kind)) {
            StreamingQueryListener.QueryTerminatedEvent e =
                    (StreamingQueryListener.QueryTerminatedEvent) event;
            type = "queryTerminated";
            urgent = true;
            start(g, type, queued);
            writeIds(g, e.id(), e.runId(), names.remove(e.runId()));
            g.writeStringField("exception", cut(optional(e.exception()), MAX_TEXT_CHARS));
            g.writeStringField("errorClass", cut(errorClass(e), MAX_ERROR_CLASS_CHARS));
            triggerStates.remove(e.runId());
        } else {
            return null;
        }
        g.writeEndObject();
        g.close();
        return new EncodedEvent(queued.seq(), type, out.toString(), urgent);
    }

    /**
     * A micro-batch's progress. When it would exceed {@link #MAX_EVENT_CHARS} (many sources with
     * thousands of Kafka partitions each), it is sent again without the sources' offsets and
     * metrics, so the numbers still arrive within the service's request size limit.
     */
    private EncodedEvent progressEvent(QueuedEvent queued, StreamingQueryProgress p)
            throws IOException {
        TriggerReader.Trigger trigger = triggerOf(p.id(), p.runId());
        String text = progressJson(queued, p, trigger, true);
        if (text.length() > MAX_EVENT_CHARS) {
            text = progressJson(queued, p, trigger, false);
        }
        return new EncodedEvent(queued.seq(), "queryProgress", text, true);
    }

    private String progressJson(
            QueuedEvent queued,
            StreamingQueryProgress p,
            TriggerReader.Trigger trigger,
            boolean sourceDetail)
            throws IOException {
        StringWriter out = new StringWriter(2048);
        JsonGenerator g = json.createGenerator(out);
        start(g, "queryProgress", queued);
        writeTrigger(g, trigger);
        writeProgress(g, p, queued.time(), sourceDetail);
        g.writeEndObject();
        g.close();
        return out.toString();
    }

    /** {@code QueryStartedEvent} from {@code ...StreamingQueryListener$QueryStartedEvent}. */
    static String eventKind(Class<?> type) {
        String name = type.getName();
        return name.substring(name.lastIndexOf('$') + 1);
    }

    private static void start(JsonGenerator g, String type, QueuedEvent queued) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeNumberField("time", queued.time());
        g.writeNumberField("seq", queued.seq());
    }

    private void writeIdle(
            JsonGenerator g, UUID id, UUID runId, String name, String timestamp, long fallback)
            throws IOException {
        writeIds(g, id, runId, name);
        Long ms = epochMs(timestamp);
        g.writeNumberField("timestamp", ms != null ? ms : fallback);
    }

    private static void writeIds(JsonGenerator g, UUID id, UUID runId, String name)
            throws IOException {
        g.writeStringField("queryId", String.valueOf(id));
        g.writeStringField("runId", String.valueOf(runId));
        g.writeStringField("name", name);
    }

    private void writeProgress(
            JsonGenerator g, StreamingQueryProgress p, long fallbackTime, boolean sourceDetail)
            throws IOException {
        g.writeObjectFieldStart("progress");
        writeIds(g, p.id(), p.runId(), remember(p.runId(), p.name()));
        Long timestamp = epochMs(p.timestamp());
        g.writeNumberField("timestamp", timestamp != null ? timestamp : fallbackTime);
        g.writeNumberField("batchId", p.batchId());
        EventEncoder.writeNullableNumber(
                g, "batchDurationMs", p.batchDuration() >= 0 ? p.batchDuration() : null);

        g.writeObjectFieldStart("durationMs");
        int n = 0;
        for (Map.Entry<String, Long> d : sorted(p.durationMs()).entrySet()) {
            Long value = d.getValue();
            if (value != null && value >= 0 && d.getKey().length() <= MAX_METRIC_CHARS) {
                g.writeNumberField(d.getKey(), value);
                if (++n == MAX_DURATIONS) {
                    break;
                }
            }
        }
        g.writeEndObject();

        g.writeObjectFieldStart("eventTime");
        n = 0;
        for (Map.Entry<String, String> t : sorted(p.eventTime()).entrySet()) {
            Long value = epochMs(t.getValue());
            if (value != null && t.getKey().length() <= MAX_METRIC_CHARS) {
                g.writeNumberField(t.getKey(), value);
                if (++n == MAX_EVENT_TIMES) {
                    break;
                }
            }
        }
        g.writeEndObject();

        g.writeNumberField("numInputRows", Math.max(0L, p.numInputRows()));
        writeRate(g, "inputRowsPerSecond", p.inputRowsPerSecond());
        writeRate(g, "processedRowsPerSecond", p.processedRowsPerSecond());

        g.writeArrayFieldStart("stateOperators");
        StateOperatorProgress[] operators = p.stateOperators();
        for (int i = 0; operators != null && i < operators.length && i < MAX_STATE_OPERATORS; i++) {
            StateOperatorProgress op = operators[i];
            if (op == null) {
                continue;
            }
            g.writeStartObject();
            g.writeStringField("operatorName", cut(op.operatorName(), MAX_TEXT_CHARS));
            g.writeNumberField("numRowsTotal", Math.max(0L, op.numRowsTotal()));
            g.writeNumberField("numRowsUpdated", Math.max(0L, op.numRowsUpdated()));
            g.writeNumberField("memoryUsedBytes", Math.max(0L, op.memoryUsedBytes()));
            g.writeNumberField(
                    "numRowsDroppedByWatermark", Math.max(0L, op.numRowsDroppedByWatermark()));
            g.writeEndObject();
        }
        g.writeEndArray();

        g.writeArrayFieldStart("sources");
        SourceProgress[] sources = p.sources();
        for (int i = 0; sources != null && i < sources.length && i < MAX_SOURCES; i++) {
            if (sources[i] != null) {
                writeSource(g, sources[i], sourceDetail);
            }
        }
        g.writeEndArray();

        SinkProgress sink = p.sink();
        if (sink == null) {
            g.writeNullField("sink");
        } else {
            g.writeObjectFieldStart("sink");
            g.writeStringField("description", cut(sink.description(), MAX_TEXT_CHARS));
            long rows = sink.numOutputRows();
            EventEncoder.writeNullableNumber(g, "numOutputRows", rows >= 0 ? rows : null);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeSource(JsonGenerator g, SourceProgress s, boolean detail)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("description", cut(s.description(), MAX_TEXT_CHARS));
        g.writeStringField("startOffset", detail ? offset(s.startOffset()) : null);
        g.writeStringField("endOffset", detail ? offset(s.endOffset()) : null);
        g.writeStringField("latestOffset", detail ? offset(s.latestOffset()) : null);
        g.writeNumberField("numInputRows", Math.max(0L, s.numInputRows()));
        writeRate(g, "inputRowsPerSecond", s.inputRowsPerSecond());
        writeRate(g, "processedRowsPerSecond", s.processedRowsPerSecond());
        g.writeObjectFieldStart("metrics");
        int n = 0;
        for (Map.Entry<String, String> m : sorted(detail ? s.metrics() : null).entrySet()) {
            if (m.getValue() != null && m.getKey().length() <= MAX_METRIC_CHARS) {
                g.writeStringField(m.getKey(), cut(m.getValue(), MAX_METRIC_CHARS));
                if (++n == MAX_METRICS) {
                    break;
                }
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeTrigger(JsonGenerator g, TriggerReader.Trigger trigger)
            throws IOException {
        if (trigger == null) {
            g.writeNullField("trigger");
            return;
        }
        g.writeObjectFieldStart("trigger");
        g.writeStringField("kind", trigger.kind);
        EventEncoder.writeNullableNumber(g, "intervalMs", trigger.intervalMs);
        g.writeEndObject();
    }

    /**
     * The trigger of this run, read once it is found; while the query cannot be found (yet), up to
     * {@link TriggerState#MAX_ATTEMPTS} events of the run ask again.
     */
    private TriggerReader.Trigger triggerOf(UUID id, UUID runId) {
        if (id == null || runId == null) {
            return null;
        }
        TriggerState state = triggerStates.get(runId);
        if (state == null) {
            state = new TriggerState();
            triggerStates.put(runId, state);
        }
        if (!state.settled && state.attempts < TriggerState.MAX_ATTEMPTS) {
            state.attempts++;
            TriggerReader.Trigger found = triggers.read(id, runId);
            if (found != null) {
                state.trigger = found;
                state.settled = true;
            }
        }
        return state.trigger;
    }

    /** Remembers the run's name for its idle and terminated events; returns the cleaned name. */
    private String remember(UUID runId, String name) {
        String clean = cleanName(name);
        if (runId != null) {
            if (clean == null) {
                names.remove(runId);
            } else {
                names.put(runId, clean);
            }
        }
        return clean;
    }

    /** At most 200 chars, control characters replaced by spaces (the service rejects them). */
    static String cleanName(String name) {
        if (name == null) {
            return null;
        }
        String cut = cut(name, MAX_NAME_CHARS);
        StringBuilder out = null;
        for (int i = 0; i < cut.length(); i++) {
            if (Character.isISOControl(cut.charAt(i))) {
                if (out == null) {
                    out = new StringBuilder(cut);
                }
                out.setCharAt(i, ' ');
            }
        }
        return out == null ? cut : out.toString();
    }

    /** Spark's ISO-8601 UTC timestamp as epoch ms; null when absent or unreadable. */
    static Long epochMs(String timestamp) {
        if (timestamp == null) {
            return null;
        }
        try {
            return Instant.parse(timestamp).toEpochMilli();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Offsets are JSON: a longer one is sent as null (a cut one could not be parsed). */
    static String offset(String value) {
        return value == null || value.length() > MAX_OFFSET_CHARS ? null : value;
    }

    static void writeRate(JsonGenerator g, String field, double rate) throws IOException {
        if (Double.isNaN(rate) || Double.isInfinite(rate) || rate < 0) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, rate);
        }
    }

    private static String errorClass(StreamingQueryListener.QueryTerminatedEvent e) {
        try {
            Object value = call(e, "errorClassOnException"); // Spark 3.5+
            return value instanceof Option ? optional((Option<?>) value) : null;
        } catch (RuntimeException notThere) {
            return null;
        }
    }

    /**
     * A public accessor by reflection; fails with an unchecked exception (the event is skipped).
     */
    private static Object call(Object target, String accessor) {
        try {
            Method m = target.getClass().getMethod(accessor);
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "cannot read " + accessor + "() of " + target.getClass().getName(), e);
        }
    }

    private static String optional(Option<?> option) {
        if (option == null || !option.isDefined()) {
            return null;
        }
        Object value = option.get();
        return value == null ? null : value.toString();
    }

    /** A sorted copy (deterministic order and caps), without null keys; empty for null. */
    private static <V> Map<String, V> sorted(Map<String, V> map) {
        Map<String, V> out = new TreeMap<>();
        if (map != null) {
            for (Map.Entry<String, V> e : map.entrySet()) {
                if (e.getKey() != null) {
                    out.put(e.getKey(), e.getValue());
                }
            }
        }
        return out;
    }

    static String cut(String text, int max) {
        return EventEncoder.cut(text, max);
    }

    private static <V> Map<UUID, V> lru() {
        return new LinkedHashMap<UUID, V>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, V> eldest) {
                return size() > MAX_RUNS_REMEMBERED;
            }
        };
    }

    /** What is known about one run's trigger. */
    private static final class TriggerState {
        static final int MAX_ATTEMPTS = 3;
        int attempts;
        boolean settled;
        TriggerReader.Trigger trigger;
    }
}
