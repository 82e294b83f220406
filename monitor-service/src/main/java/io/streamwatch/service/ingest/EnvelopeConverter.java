package io.streamwatch.service.ingest;

import io.streamwatch.service.model.Event;
import io.streamwatch.service.model.Event.BatchPhase;
import io.streamwatch.service.model.Event.ReceiverPhase;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.model.Source;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a bound {@link Wire.Envelope} into the domain model, checking what the JSON types alone do
 * not say: presence, ranges, timestamps near the service's clock, text fit for labels and logs, and
 * increasing sequence numbers. Each failure names the field's path.
 */
final class EnvelopeConverter {
    static final int SCHEMA_VERSION = 1;
    static final int NAME_MAX = 200;
    static final int INFO_MAX = 500;
    static final int TEXT_MAX = 8192;
    static final int LIST_MAX = 10_000;

    private final int maxEvents;

    EnvelopeConverter(int maxEvents) {
        this.maxEvents = maxEvents;
    }

    IngestBatch convert(Wire.Envelope env, long now) {
        Fields f = new Fields("", now);
        long schema = f.whole("schema", env.schema(), 0, Long.MAX_VALUE);
        if (schema != SCHEMA_VERSION) {
            throw RejectedException.badRequest(
                    "schema: unsupported version "
                            + schema
                            + "; this service accepts "
                            + SCHEMA_VERSION);
        }
        Source source = source(f.in("source"), f.required("source", env.source()));
        long dropped = f.optionalWhole("dropped", env.dropped(), 0, Fields.MAX_SEQ, 0);
        long queued = f.optionalWhole("queued", env.queued(), 0, Fields.MAX_QUEUED, 0);
        List<Wire.EventJson> events = f.required("events", env.events());
        if (events.size() > maxEvents) {
            throw f.bad(
                    "events",
                    "at most "
                            + maxEvents
                            + " entries per request, got "
                            + events.size()
                            + "; send smaller requests");
        }
        List<Event> out = new ArrayList<>(events.size());
        long lastSeq = 0;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == null)
                throw f.bad("events[" + i + "]", "must be an object with a \"type\"");
            Fields e = f.in("events", i);
            Event event = event(e, events.get(i));
            if (event.seq() != 0) {
                if (event.seq() <= lastSeq) {
                    throw e.bad(
                            "seq",
                            "must be greater than the previous event's seq "
                                    + lastSeq
                                    + ", got "
                                    + event.seq());
                }
                lastSeq = event.seq();
            }
            out.add(event);
        }
        return new IngestBatch(source, dropped, queued, out);
    }

    private static Source source(Fields f, Wire.Source s) {
        return new Source(
                f.name("app", s.app(), NAME_MAX),
                f.name("appId", s.appId(), NAME_MAX),
                f.optionalName("attemptId", s.attemptId(), NAME_MAX),
                f.name("instance", s.instance(), 100),
                f.optionalLabel("sparkVersion", s.sparkVersion(), INFO_MAX),
                uiUrl(f, s.uiUrl()),
                f.optionalLabel("host", s.host(), INFO_MAX),
                f.optionalLabel("listenerVersion", s.listenerVersion(), INFO_MAX));
    }

    /**
     * The driver UI the REST poller will call: an absolute http(s) URL with a host, nothing else.
     */
    private static String uiUrl(Fields f, String value) {
        String url = f.optionalLabel("uiUrl", value, INFO_MAX);
        if (url == null) return null;
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String authority =
                    u.getRawAuthority(); // not getHost(): host names with '_' (containers)
            // are valid here
            if ((scheme.equals("http") || scheme.equals("https"))
                    && authority != null
                    && !authority.contains("@")) return url;
        } catch (URISyntaxException e) {
            // reported below
        }
        throw f.bad(
                "uiUrl",
                "must be an http(s) URL such as http://driver:4040, got '"
                        + JsonProblems.clip(url)
                        + "'");
    }

    private static Event event(Fields f, Wire.EventJson e) {
        long time = f.timestamp("time", e.time());
        if (e instanceof Wire.Heartbeat) return new Event.Heartbeat(time);
        if (e instanceof Wire.AppStart s) {
            return new Event.AppStart(
                    seq(f, s.seq()),
                    time,
                    f.optionalText("appName", s.appName(), INFO_MAX),
                    f.timestamp("startTime", s.startTime()),
                    f.optionalText("user", s.user(), INFO_MAX));
        }
        if (e instanceof Wire.AppEnd end)
            return new Event.AppEnd(seq(f, end.seq()), time, f.timestamp("endTime", end.endTime()));
        if (e instanceof Wire.StreamingStarted s) {
            Long interval = f.optionalDuration("batchIntervalMs", s.batchIntervalMs());
            if (interval != null && interval == 0)
                throw f.bad("batchIntervalMs", "must be > 0 or null, got 0");
            return new Event.StreamingStarted(
                    seq(f, s.seq()), time, f.timestamp("startTime", s.startTime()), interval);
        }
        if (e instanceof Wire.QueryStarted q)
            return QueryEvents.started(f, q, seq(f, q.seq()), time);
        if (e instanceof Wire.QueryProgress q)
            return QueryEvents.progress(f, q, seq(f, q.seq()), time);
        if (e instanceof Wire.QueryIdle q) return QueryEvents.idle(f, q, seq(f, q.seq()), time);
        if (e instanceof Wire.QueryTerminated q)
            return QueryEvents.terminated(f, q, seq(f, q.seq()), time);
        if (e instanceof Wire.BatchEvent b) {
            BatchPhase phase =
                    switch (b.type()) {
                        case "batchSubmitted" -> BatchPhase.SUBMITTED;
                        case "batchStarted" -> BatchPhase.STARTED;
                        default -> BatchPhase.COMPLETED;
                    };
            long seq = seq(f, b.seq());
            return new Event.BatchEvent(
                    seq, time, phase, batch(f.in("batch"), f.required("batch", b.batch()), phase));
        }
        Wire.ReceiverEvent r = (Wire.ReceiverEvent) e;
        ReceiverPhase phase =
                switch (r.type()) {
                    case "receiverStarted" -> ReceiverPhase.STARTED;
                    case "receiverStopped" -> ReceiverPhase.STOPPED;
                    default -> ReceiverPhase.ERROR;
                };
        long seq = seq(f, r.seq());
        return new Event.ReceiverEvent(
                seq,
                time,
                phase,
                receiver(f.in("receiver"), f.required("receiver", r.receiver()), phase));
    }

    private static long seq(Fields f, Long seq) {
        return f.whole("seq", seq, 1, Fields.MAX_SEQ);
    }

    /**
     * Spark knows every time and delay of a completed batch; before completion they may be unknown.
     */
    private static Event.Batch batch(Fields f, Wire.Batch b, BatchPhase phase) {
        boolean completed = phase == BatchPhase.COMPLETED;
        Long start =
                completed
                        ? (Long) f.timestamp("processingStartTime", b.processingStartTime())
                        : f.optionalTimestamp("processingStartTime", b.processingStartTime());
        Long end =
                completed
                        ? (Long) f.timestamp("processingEndTime", b.processingEndTime())
                        : f.optionalTimestamp("processingEndTime", b.processingEndTime());
        Long sched =
                completed
                        ? (Long) f.duration("schedulingDelayMs", b.schedulingDelayMs())
                        : f.optionalDuration("schedulingDelayMs", b.schedulingDelayMs());
        Long proc =
                completed
                        ? (Long) f.duration("processingTimeMs", b.processingTimeMs())
                        : f.optionalDuration("processingTimeMs", b.processingTimeMs());
        Long total =
                completed
                        ? (Long) f.duration("totalDelayMs", b.totalDelayMs())
                        : f.optionalDuration("totalDelayMs", b.totalDelayMs());
        if (start != null && end != null && end < start) {
            throw f.bad("processingEndTime", end + " is before processingStartTime " + start);
        }
        List<Wire.Input> inputs = f.optionalList("inputs", b.inputs(), LIST_MAX);
        List<Event.Input> in = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) in.add(input(f.in("inputs", i), inputs.get(i)));
        List<Wire.OutputOp> outputOps = f.optionalList("outputOps", b.outputOps(), LIST_MAX);
        List<Event.OutputOp> ops = new ArrayList<>(outputOps.size());
        for (int i = 0; i < outputOps.size(); i++) {
            Fields o = f.in("outputOps", i);
            Wire.OutputOp op = outputOps.get(i);
            ops.add(
                    new Event.OutputOp(
                            o.index("id", op.id()),
                            o.optionalText("name", op.name(), TEXT_MAX),
                            o.optionalText("failureReason", op.failureReason(), TEXT_MAX)));
        }
        return new Event.Batch(
                f.timestamp("batchTime", b.batchTime()),
                f.timestamp("submissionTime", b.submissionTime()),
                start,
                end,
                sched,
                proc,
                total,
                f.whole("records", b.records(), 0, Fields.MAX_RECORDS),
                in,
                ops,
                b.failed() != null && b.failed(),
                f.optionalText("failureReason", b.failureReason(), TEXT_MAX));
    }

    private static Event.Input input(Fields f, Wire.Input in) {
        List<Wire.OffsetRange> ranges = f.optionalList("offsets", in.offsets(), LIST_MAX);
        List<Event.OffsetRange> offsets = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            Fields o = f.in("offsets", i);
            Wire.OffsetRange r = ranges.get(i);
            String topic = o.name("topic", r.topic(), 249);
            int partition = o.index("partition", r.partition());
            long from = o.whole("fromOffset", r.fromOffset(), 0, Fields.MAX_OFFSET);
            long until = o.whole("untilOffset", r.untilOffset(), 0, Fields.MAX_OFFSET);
            if (until < from) throw o.bad("untilOffset", until + " is below fromOffset " + from);
            offsets.add(new Event.OffsetRange(topic, partition, from, until));
        }
        return new Event.Input(
                f.index("streamId", in.streamId()),
                f.whole("records", in.records(), 0, Fields.MAX_RECORDS),
                f.optionalText("description", in.description(), TEXT_MAX),
                offsets);
    }

    private static Event.Receiver receiver(Fields f, Wire.Receiver r, ReceiverPhase phase) {
        return new Event.Receiver(
                f.index("streamId", r.streamId()),
                f.optionalText("name", r.name(), INFO_MAX),
                r.active() != null ? r.active() : phase != ReceiverPhase.STOPPED,
                f.optionalText("location", r.location(), INFO_MAX),
                f.optionalText("executorId", r.executorId(), INFO_MAX),
                f.optionalText("lastErrorMessage", r.lastErrorMessage(), TEXT_MAX),
                f.optionalText("lastError", r.lastError(), TEXT_MAX));
    }
}
