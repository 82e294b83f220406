package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Structured Streaming query of an app, by query key: its current run, lifecycle, counters and
 * its newest micro-batches, as many as the rules read (the full history is in the store). Guarded
 * by its {@link AppState}.
 */
public final class Query {
    /**
     * Micro-batches held in memory per query when the registry is not told otherwise (and the most
     * the API serves without a store).
     */
    public static final int WINDOW = 128;

    /** Query ids whose highest batch id is remembered (a name reused with a new checkpoint). */
    static final int KNOWN_IDS = 16;

    /** Earlier run ids remembered, so that a late event of one is not taken for a restart. */
    static final int KNOWN_RUNS = 16;

    final String key;
    private final int capacity;
    String queryId;
    String runId;
    String name;
    String state = QuerySnapshot.ACTIVE;
    String trigger;
    Long triggerMs;
    Long lastProgress;
    String exception;
    String errorClass;
    long restarts;
    long failures;
    long batchesCompleted;
    long inputRows;
    long lateRowsDropped;
    long lastBatchAt;
    long lastChange;
    final Buckets batchDuration = new Buckets();
    final LinkedHashMap<String, Long> highestBatch = new LinkedHashMap<>();
    final ArrayDeque<String> earlierRuns = new ArrayDeque<>();
    final ArrayDeque<MicroBatch> window = new ArrayDeque<>();
    Long inferredMs;
    StateHistory states = new StateHistory();

    /**
     * @param capacity micro-batches held in memory
     */
    Query(String key, int capacity) {
        this.key = key;
        this.capacity = capacity;
    }

    /** What survives a restart (the micro-batches are stored apart). */
    public record Persisted(
            String query,
            String queryId,
            String runId,
            String name,
            String state,
            String trigger,
            Long triggerIntervalMs,
            Long lastProgress,
            String exception,
            String errorClass,
            long restarts,
            long failures,
            long batchesCompleted,
            long inputRows,
            long lateRowsDropped,
            Buckets.Snapshot batchDuration,
            Map<String, Long> highestBatch,
            List<String> earlierRuns,
            long lastBatchAt,
            long lastChange,
            List<StateHistory.Sample> stateHistory) {}

    Persisted persisted() {
        return new Persisted(
                key,
                queryId,
                runId,
                name,
                state,
                trigger,
                triggerMs,
                lastProgress,
                exception,
                errorClass,
                restarts,
                failures,
                batchesCompleted,
                inputRows,
                lateRowsDropped,
                batchDuration.snapshot(),
                new LinkedHashMap<>(highestBatch),
                new ArrayList<>(earlierRuns),
                lastBatchAt,
                lastChange,
                states.samples());
    }

    /**
     * @param window its stored micro-batches, oldest first
     */
    static Query restore(Persisted p, List<MicroBatch> window, int capacity) {
        Query q = new Query(p.query(), capacity);
        q.queryId = p.queryId();
        q.runId = p.runId();
        q.name = p.name();
        q.state = p.state() == null ? QuerySnapshot.STOPPED : p.state();
        q.trigger = p.trigger();
        q.triggerMs = p.triggerIntervalMs();
        q.lastProgress = p.lastProgress();
        q.exception = p.exception();
        q.errorClass = p.errorClass();
        q.restarts = p.restarts();
        q.failures = p.failures();
        q.batchesCompleted = p.batchesCompleted();
        q.inputRows = p.inputRows();
        q.lateRowsDropped = p.lateRowsDropped();
        q.batchDuration.restore(p.batchDuration());
        if (p.highestBatch() != null) q.highestBatch.putAll(p.highestBatch());
        if (p.earlierRuns() != null) q.earlierRuns.addAll(p.earlierRuns());
        q.lastBatchAt = p.lastBatchAt();
        q.lastChange = p.lastChange();
        q.states = new StateHistory(p.stateHistory());
        int skip = Math.max(0, window.size() - capacity);
        for (MicroBatch b : window.subList(skip, window.size()))
            q.window.addLast(shared(b, q.window.peekLast()));
        q.infer();
        return q;
    }

    /** An independent copy; the micro-batches (immutable, their text already shared) are reused. */
    Query copy() {
        Query q = restore(persisted(), List.of(), capacity);
        q.window.addAll(window);
        q.inferredMs = inferredMs;
        return q;
    }

    boolean live() {
        return state.equals(QuerySnapshot.ACTIVE) || state.equals(QuerySnapshot.IDLE);
    }

    /**
     * Makes {@code runId} the current run if it is new; a new run under a known one is a restart.
     *
     * @return false when the event belongs to an earlier run (a late event: it changes nothing)
     */
    boolean run(String queryId, String runId, String name, long now) {
        lastChange = now;
        if (runId.equals(this.runId)) {
            this.queryId = queryId;
            if (name != null && !name.isBlank()) this.name = name;
            return true;
        }
        if (earlierRuns.contains(runId)) return false;
        if (this.runId != null) {
            restarts = Saturating.add(restarts, 1);
            earlierRuns.addLast(this.runId);
            while (earlierRuns.size() > KNOWN_RUNS) earlierRuns.removeFirst();
        }
        this.runId = runId;
        this.queryId = queryId;
        this.name = name;
        trigger = null;
        triggerMs = null;
        state = QuerySnapshot.ACTIVE;
        infer();
        return true;
    }

    void trigger(Event.Trigger t) {
        if (t == null) return;
        trigger = t.kind();
        triggerMs = t.intervalMs();
    }

    /** A progress or idle event of the current run: it runs, so an earlier run's error is gone. */
    void progressed(String newState, long now) {
        state = newState;
        lastProgress = now;
        exception = null;
        errorClass = null;
    }

    /**
     * Records the micro-batch unless its batch id is at or below the highest recorded for its query
     * id, and its state size in the downsampled history over {@code stateWindowMs}. @return it, or
     * null for a duplicate
     */
    MicroBatch record(Event.Progress p, long now, long stateWindowMs) {
        Long high = highestBatch.get(p.queryId());
        if (high != null && p.batchId() <= high) return null;
        highestBatch.remove(p.queryId());
        highestBatch.put(p.queryId(), p.batchId());
        while (highestBatch.size() > KNOWN_IDS)
            highestBatch.remove(highestBatch.keySet().iterator().next());
        MicroBatch b = shared(microBatch(p), window.peekLast());
        batchesCompleted = Saturating.add(batchesCompleted, 1);
        inputRows = Saturating.add(inputRows, b.numInputRows());
        lateRowsDropped = Saturating.add(lateRowsDropped, b.lateRowsDropped());
        batchDuration.observe(b.triggerExecutionMs());
        window.addLast(b);
        while (window.size() > capacity) window.removeFirst();
        states.add(b, stateWindowMs);
        lastBatchAt = now;
        infer();
        return b;
    }

    void terminated(Event.QueryTerminated t) {
        if (!live()) return; // already ended: counted once
        if (t.exception() != null || t.errorClass() != null) {
            state = QuerySnapshot.FAILED;
            failures = Saturating.add(failures, 1);
        } else {
            state = QuerySnapshot.STOPPED;
        }
        exception = t.exception();
        errorClass = t.errorClass();
    }

    /** The app ended, or a new run of it started: none of its queries runs any more. */
    void stop(long now) {
        if (!live()) return;
        state = QuerySnapshot.STOPPED;
        lastChange = now;
    }

    /** The newest micro-batches of the current run, oldest first. */
    List<MicroBatch> currentRun() {
        List<MicroBatch> out = new ArrayList<>();
        for (MicroBatch b : window) if (b.runId().equals(runId)) out.add(b);
        return out;
    }

    private void infer() {
        inferredMs = TriggerInference.intervalMs(currentRun());
    }

    /** The trigger interval: Spark's processing-time interval, else the inferred one, else null. */
    Long intervalMs() {
        if (trigger != null && !trigger.equals("unknown"))
            return trigger.equals("processingTime") && triggerMs != null && triggerMs > 0
                    ? triggerMs
                    : null;
        return inferredMs;
    }

    QuerySnapshot snapshot(boolean appRunning, List<QuerySnapshot.TopicLag> lag) {
        Long interval = intervalMs();
        String source =
                interval == null
                        ? null
                        : trigger == null || trigger.equals("unknown") ? "inferred" : "spark";
        return new QuerySnapshot(
                key,
                queryId,
                runId,
                name,
                state,
                live() && appRunning,
                trigger,
                interval,
                source,
                lastProgress,
                exception,
                errorClass,
                restarts,
                failures,
                batchesCompleted,
                inputRows,
                lateRowsDropped,
                batchDuration.snapshot(),
                window.peekLast(),
                lag);
    }

    static MicroBatch microBatch(Event.Progress p) {
        long rows = 0;
        long memory = 0;
        long late = 0;
        for (Event.StateOperator op : p.stateOperators()) {
            rows = Saturating.add(rows, op.numRowsTotal());
            memory = Saturating.add(memory, op.memoryUsedBytes());
            late = Saturating.add(late, op.numRowsDroppedByWatermark());
        }
        List<MicroBatch.Source> sources = new ArrayList<>(p.sources().size());
        for (Event.SourceProgress s : p.sources()) {
            sources.add(
                    new MicroBatch.Source(
                            s.description(),
                            s.startOffset(),
                            s.endOffset(),
                            s.latestOffset(),
                            s.numInputRows()));
        }
        Long watermark = p.eventTime().get("watermark");
        return new MicroBatch(
                p.queryId(),
                p.runId(),
                p.batchId(),
                p.timestamp(),
                p.durationMs(),
                p.numInputRows(),
                p.inputRowsPerSecond(),
                p.processedRowsPerSecond(),
                watermark != null && watermark > 0 ? watermark : null,
                rows,
                memory,
                late,
                sources);
    }

    /**
     * {@code b} with the text it has in common with {@code previous} (ids, source descriptions)
     * taken from {@code previous}: the windows hold the newest micro-batches of each of possibly
     * thousands of queries.
     */
    static MicroBatch shared(MicroBatch b, MicroBatch previous) {
        if (previous == null) return b;
        List<MicroBatch.Source> sources = new ArrayList<>(b.sources().size());
        for (int i = 0; i < b.sources().size(); i++) {
            MicroBatch.Source s = b.sources().get(i);
            String before =
                    i < previous.sources().size() ? previous.sources().get(i).description() : null;
            sources.add(
                    new MicroBatch.Source(
                            shared(s.description(), before),
                            s.startOffset(),
                            s.endOffset(),
                            s.latestOffset(),
                            s.numInputRows()));
        }
        return new MicroBatch(
                shared(b.queryId(), previous.queryId()),
                shared(b.runId(), previous.runId()),
                b.batchId(),
                b.timestamp(),
                b.durationMs(),
                b.numInputRows(),
                b.inputRowsPerSecond(),
                b.processedRowsPerSecond(),
                b.watermark(),
                b.stateRows(),
                b.stateMemoryBytes(),
                b.lateRowsDropped(),
                sources);
    }

    private static String shared(String text, String before) {
        return text != null && text.equals(before) ? before : text;
    }
}
