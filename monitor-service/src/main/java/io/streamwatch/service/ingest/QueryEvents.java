package io.streamwatch.service.ingest;

import io.streamwatch.service.model.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Structured Streaming events ({@code queryStarted}, {@code queryProgress}, {@code queryIdle},
 * {@code queryTerminated}) checked against the protocol's bounds and turned into the model, each
 * failure naming the field's path ({@code events[2].progress.sources[0].numInputRows: must be >= 0,
 * got -1}).
 */
final class QueryEvents {
    static final int ID_MAX = 100;
    static final int NAME_MAX = 200;
    static final int TEXT_MAX = 2048;
    static final int OFFSET_MAX = 65_536;
    static final int LIST_MAX = 100;
    static final int METRICS_MAX = 50;
    static final int METRIC_TEXT_MAX = 200;
    static final int DURATIONS_MAX = 50;
    static final int EVENT_TIMES_MAX = 10;
    static final long MAX_INTERVAL_MS = 31L * 86_400_000L;
    static final long MAX_STATE = Fields.MAX_OFFSET;

    static final Set<String> TRIGGER_KINDS =
            Set.of(
                    "processingTime",
                    "default",
                    "once",
                    "availableNow",
                    "continuous",
                    "realTime",
                    "unknown");

    private QueryEvents() {}

    static Event.QueryStarted started(Fields f, Wire.QueryStarted s, long seq, long time) {
        return new Event.QueryStarted(
                seq,
                time,
                id(f, "queryId", s.queryId()),
                id(f, "runId", s.runId()),
                name(f, s.name()),
                f.optionalTimestamp("timestamp", s.timestamp()),
                trigger(f, s.trigger()));
    }

    static Event.QueryProgress progress(Fields f, Wire.QueryProgress p, long seq, long time) {
        return new Event.QueryProgress(
                seq,
                time,
                progress(f.in("progress"), f.required("progress", p.progress())),
                trigger(f, p.trigger()));
    }

    static Event.QueryIdle idle(Fields f, Wire.QueryIdle i, long seq, long time) {
        return new Event.QueryIdle(
                seq,
                time,
                id(f, "queryId", i.queryId()),
                id(f, "runId", i.runId()),
                name(f, i.name()),
                f.timestamp("timestamp", i.timestamp()));
    }

    static Event.QueryTerminated terminated(Fields f, Wire.QueryTerminated t, long seq, long time) {
        return new Event.QueryTerminated(
                seq,
                time,
                id(f, "queryId", t.queryId()),
                id(f, "runId", t.runId()),
                name(f, t.name()),
                f.optionalText("exception", t.exception(), TEXT_MAX),
                f.optionalLabel("errorClass", t.errorClass(), NAME_MAX));
    }

    private static String id(Fields f, String field, String value) {
        return f.name(field, value, ID_MAX);
    }

    /** One line of visible text; may be blank (the query key is then its id). */
    private static String name(Fields f, String value) {
        return f.optionalLabel("name", value, NAME_MAX);
    }

    private static Event.Trigger trigger(Fields f, Wire.Trigger t) {
        if (t == null) return null;
        Fields in = f.in("trigger");
        String kind = in.required("kind", t.kind());
        if (!TRIGGER_KINDS.contains(kind)) {
            throw in.bad(
                    "kind",
                    "must be one of "
                            + String.join(", ", TRIGGER_KINDS.stream().sorted().toList())
                            + ", got '"
                            + JsonProblems.clip(kind)
                            + "'");
        }
        Long interval =
                t.intervalMs() == null
                        ? null
                        : in.whole("intervalMs", t.intervalMs(), 0, MAX_INTERVAL_MS);
        return new Event.Trigger(kind, interval);
    }

    private static Event.Progress progress(Fields f, Wire.Progress p) {
        Map<String, Long> durations = f.map("durationMs", p.durationMs(), DURATIONS_MAX, NAME_MAX);
        Fields d = f.in("durationMs");
        durations.forEach((k, v) -> d.duration(JsonProblems.clip(k), v));
        Map<String, Long> eventTime = f.map("eventTime", p.eventTime(), EVENT_TIMES_MAX, NAME_MAX);
        Fields et = f.in("eventTime");
        eventTime.forEach(
                (k, v) -> et.whole(JsonProblems.clip(k), v, -Fields.MAX_OFFSET, Fields.MAX_OFFSET));
        List<Wire.StateOperator> ops =
                f.optionalList("stateOperators", p.stateOperators(), LIST_MAX);
        List<Event.StateOperator> operators = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Fields o = f.in("stateOperators", i);
            Wire.StateOperator op = ops.get(i);
            operators.add(
                    new Event.StateOperator(
                            o.optionalText("operatorName", op.operatorName(), TEXT_MAX),
                            o.whole("numRowsTotal", op.numRowsTotal(), 0, MAX_STATE),
                            o.whole("numRowsUpdated", op.numRowsUpdated(), 0, MAX_STATE),
                            o.whole("memoryUsedBytes", op.memoryUsedBytes(), 0, MAX_STATE),
                            o.optionalWhole(
                                    "numRowsDroppedByWatermark",
                                    op.numRowsDroppedByWatermark(),
                                    0,
                                    Fields.MAX_RECORDS,
                                    0)));
        }
        List<Wire.SourceProgress> srcs = f.optionalList("sources", p.sources(), LIST_MAX);
        List<Event.SourceProgress> sources = new ArrayList<>(srcs.size());
        for (int i = 0; i < srcs.size(); i++) sources.add(source(f.in("sources", i), srcs.get(i)));
        Event.SinkProgress sink = null;
        if (p.sink() != null) {
            Fields s = f.in("sink");
            sink =
                    new Event.SinkProgress(
                            s.optionalText("description", p.sink().description(), TEXT_MAX),
                            p.sink().numOutputRows() == null
                                    ? null
                                    : s.whole(
                                            "numOutputRows",
                                            p.sink().numOutputRows(),
                                            -1,
                                            Fields.MAX_RECORDS));
        }
        return new Event.Progress(
                id(f, "queryId", p.queryId()),
                id(f, "runId", p.runId()),
                name(f, p.name()),
                f.timestamp("timestamp", p.timestamp()),
                f.whole("batchId", p.batchId(), 0, Fields.MAX_SEQ),
                f.optionalDuration("batchDurationMs", p.batchDurationMs()),
                durations,
                eventTime,
                f.whole("numInputRows", p.numInputRows(), 0, Fields.MAX_RECORDS),
                f.optionalRate("inputRowsPerSecond", p.inputRowsPerSecond()),
                f.optionalRate("processedRowsPerSecond", p.processedRowsPerSecond()),
                operators,
                sources,
                sink);
    }

    private static Event.SourceProgress source(Fields f, Wire.SourceProgress s) {
        Map<String, String> metrics = f.map("metrics", s.metrics(), METRICS_MAX, METRIC_TEXT_MAX);
        Fields m = f.in("metrics");
        metrics.forEach((k, v) -> m.optionalText(JsonProblems.clip(k), v, METRIC_TEXT_MAX));
        return new Event.SourceProgress(
                f.optionalText("description", s.description(), TEXT_MAX),
                f.optionalText("startOffset", s.startOffset(), OFFSET_MAX),
                f.optionalText("endOffset", s.endOffset(), OFFSET_MAX),
                f.optionalText("latestOffset", s.latestOffset(), OFFSET_MAX),
                f.whole("numInputRows", s.numInputRows(), 0, Fields.MAX_RECORDS),
                f.optionalRate("inputRowsPerSecond", s.inputRowsPerSecond()),
                f.optionalRate("processedRowsPerSecond", s.processedRowsPerSecond()),
                metrics);
    }
}
