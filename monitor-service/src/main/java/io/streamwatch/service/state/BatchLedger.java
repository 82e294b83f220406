package io.streamwatch.service.state;

import java.util.List;
import java.util.TreeSet;

/**
 * The batches of one app: completed ones in history (each once), those submitted but not yet
 * started, and the counters and histograms over everything completed. {@link #record} is the one
 * way a completed batch is counted, whether the listener or the driver's REST API reported it.
 * Guarded by its {@link AppState}.
 */
public final class BatchLedger {
    private static final int MAX_WAITING = 10_000;

    private final BatchHistory history;
    private final TreeSet<Long> waiting = new TreeSet<>();
    private long completed;
    private long failed;
    private long records;
    private final Buckets processingTime = new Buckets();
    private final Buckets totalDelay = new Buckets();
    private Long inferredIntervalMs;

    /**
     * Its slice of {@link AppSnapshot}.
     *
     * @param waiting batches submitted and not yet started, as the listener reported them
     */
    public record View(
            long completed,
            long failed,
            long records,
            int waiting,
            BatchRecord last,
            Buckets.Snapshot processingTime,
            Buckets.Snapshot totalDelay,
            Long inferredIntervalMs) {}

    /**
     * What survives a restart, apart from the batches themselves (stored one by one) and the
     * waiting set.
     */
    public record Persisted(
            long completed,
            long failed,
            long records,
            Buckets.Snapshot processingTime,
            Buckets.Snapshot totalDelay,
            Long inferredIntervalMs) {}

    BatchLedger(int capacity) {
        this.history = new BatchHistory(capacity);
    }

    private BatchLedger(BatchHistory history) {
        this.history = history;
    }

    /** An independent copy, to put back when a change cannot be stored. */
    BatchLedger copy() {
        BatchLedger c = new BatchLedger(history.copy());
        c.waiting.addAll(waiting);
        c.completed = completed;
        c.failed = failed;
        c.records = records;
        c.processingTime.restore(processingTime.snapshot());
        c.totalDelay.restore(totalDelay.snapshot());
        c.inferredIntervalMs = inferredIntervalMs;
        return c;
    }

    /**
     * @param batches as stored, oldest first
     */
    BatchLedger(int capacity, Persisted p, List<BatchRecord> batches) {
        this(capacity);
        if (p != null) {
            completed = p.completed();
            failed = p.failed();
            records = p.records() < 0 ? Long.MAX_VALUE : p.records(); // overflowed before 16
            processingTime.restore(p.processingTime());
            totalDelay.restore(p.totalDelay());
            inferredIntervalMs = p.inferredIntervalMs();
        }
        for (BatchRecord b : batches) history.add(b);
    }

    Persisted persisted() {
        return new Persisted(
                completed,
                failed,
                records,
                processingTime.snapshot(),
                totalDelay.snapshot(),
                inferredIntervalMs);
    }

    View view() {
        return new View(
                completed,
                failed,
                records,
                waiting.size(),
                history.newest(),
                processingTime.snapshot(),
                totalDelay.snapshot(),
                inferredIntervalMs);
    }

    /**
     * Adds a completed batch to history and counts it, unless it is already held. Consecutive
     * batches of one run also tell the batch interval (the smallest gap seen), for apps that never
     * reported it.
     *
     * @return false when the batch was already held (or is older than a full history)
     */
    boolean record(BatchRecord r) {
        BatchRecord previous = history.newest();
        if (!history.add(r)) return false;
        completed++;
        if (r.failed()) failed++;
        records = Saturating.add(records, r.records());
        processingTime.observe(r.processingTimeMs());
        totalDelay.observe(r.totalDelayMs());
        if (previous != null
                && previous.appId().equals(r.appId())
                && r.batchTime() > previous.batchTime()) {
            long gap = r.batchTime() - previous.batchTime();
            inferredIntervalMs =
                    inferredIntervalMs == null ? gap : Math.min(inferredIntervalMs, gap);
        }
        return true;
    }

    /** A batch of the current run was submitted: it waits, unless it already completed. */
    void submitted(String runId, long batchTime) {
        if (waiting.size() < MAX_WAITING && !history.contains(runId, batchTime))
            waiting.add(batchTime);
    }

    void stopWaiting(long batchTime) {
        waiting.remove(batchTime);
    }

    void clearWaiting() {
        waiting.clear();
    }

    Long inferredIntervalMs() {
        return inferredIntervalMs;
    }

    List<BatchRecord> newest(int limit) {
        return history.newest(limit);
    }
}
