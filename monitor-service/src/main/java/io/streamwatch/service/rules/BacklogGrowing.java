package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.service.state.QueryWindow;
import io.streamwatch.service.state.SourceBacklog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code StreamingDelayGrowing} for a query: its backlog keeps growing over the last {@code window}
 * micro-batches. The backlog is, in order of preference:
 *
 * <ol>
 *   <li>Spark's offsets behind latest: Σ over the Kafka sources and partitions of {@code
 *       latestOffset − endOffset} of each micro-batch;
 *   <li>else the Kafka lag the service polled for the query (one sample per poll);
 *   <li>else the rows that arrived faster than they were processed, accumulated micro-batch by
 *       micro-batch ({@code (inputRowsPerSecond − processedRowsPerSecond) ×} the time between
 *       triggers).
 * </ol>
 *
 * It fires on the same trend test as {@link DelayGrowing}: the least-squares slope is positive, at
 * least {@value DelayGrowing#MIN_RISING_SHARE} of the steps rise, and — where the time behind can
 * be told (records ÷ the rate the query drained its input over the window, or the poller's seconds)
 * — the query is more than one trigger interval (at least 1 s) behind and the backlog grew by that
 * much. It clears when the backlog is gone or within that floor, when the slope is no longer
 * positive, or when the query no longer runs or is idle (nothing left to read). One spike and a
 * sawtooth fail the rising share.
 */
public final class BacklogGrowing extends NamedRule<QueryWindow> {
    private final int window;

    public BacklogGrowing(int window) {
        super(DelayGrowing.NAME, Severity.CRITICAL, window, Trigger.EVIDENCE);
        this.window = window;
    }

    /**
     * The backlog, oldest first, with what one record is worth in seconds (null: unknown).
     *
     * @param what what one value stands for: "micro-batches" or "polls"
     */
    record Series(long[] records, Double secondsPerRecord, Double latestSeconds, String what) {
        long latest() {
            return records[records.length - 1];
        }

        /** Seconds behind for {@code n} records, null when it cannot be told. */
        Double seconds(long n) {
            if (n == records[records.length - 1] && latestSeconds != null) return latestSeconds;
            return secondsPerRecord == null ? null : n * secondsPerRecord;
        }
    }

    /** The backlog series the window supports best; null when there is none. */
    static Series backlog(QueryWindow q) {
        List<MicroBatch> recent = q.recent();
        MicroBatch newest = q.newest();
        Double perRecord = secondsPerRecord(recent, newest);
        if (newest != null && SourceBacklog.recordsBehind(newest) != null) {
            List<Long> out = new ArrayList<>();
            for (MicroBatch b : recent) {
                Long behind = SourceBacklog.recordsBehind(b);
                if (behind != null) out.add(behind);
            }
            return new Series(toArray(out), perRecord, null, "micro-batches");
        }
        if (!q.lag().isEmpty()) {
            List<LagWindow.Sample> samples = q.lag();
            long[] records = new long[samples.size()];
            for (int i = 0; i < records.length; i++) records[i] = samples.get(i).records();
            return new Series(
                    records, perRecord, samples.get(samples.size() - 1).seconds(), "polls");
        }
        if (recent.isEmpty()) return null;
        long[] records = new long[recent.size()];
        double backlog = 0;
        for (int i = 0; i < recent.size(); i++) {
            MicroBatch b = recent.get(i);
            double in = b.inputRowsPerSecond() == null ? 0 : b.inputRowsPerSecond();
            double out = b.processedRowsPerSecond() == null ? in : b.processedRowsPerSecond();
            long gapMs =
                    i == 0
                            ? b.triggerExecutionMs()
                            : Math.max(0, b.timestamp() - recent.get(i - 1).timestamp());
            backlog = Math.max(0, backlog + (in - out) * gapMs / 1000.0);
            records[i] = Math.round(backlog);
        }
        return new Series(records, perRecord, null, "micro-batches");
    }

    /**
     * What one record of backlog is worth in seconds: the inverse of the rate the query actually
     * drained its input over the window (rows read ÷ time between the first and the newest
     * micro-batch), which counts the trigger interval and caps such as {@code
     * maxOffsetsPerTrigger}; one micro-batch's {@code processedRowsPerSecond} counts neither and
     * reads far too fast for a capped query. Null when neither can be told.
     */
    static Double secondsPerRecord(List<MicroBatch> recent, MicroBatch newest) {
        if (recent.size() >= 2) {
            long rows = 0;
            for (int i = 1; i < recent.size(); i++) rows += recent.get(i).numInputRows();
            long spanMs = recent.get(recent.size() - 1).timestamp() - recent.get(0).timestamp();
            if (rows > 0 && spanMs > 0) return spanMs / 1000.0 / rows;
        }
        if (newest != null
                && newest.processedRowsPerSecond() != null
                && newest.processedRowsPerSecond() > 0) return 1 / newest.processedRowsPerSecond();
        return null;
    }

    private static long[] toArray(List<Long> values) {
        long[] a = new long[values.size()];
        for (int i = 0; i < a.length; i++) a[i] = values.get(i);
        return a;
    }

    @Override
    public Check check(QueryWindow q) {
        if (!q.live()) return QueryStops.heldOrClear(q);
        if (q.state().equals(QuerySnapshot.IDLE)) return Check.clear();
        Series s = backlog(q);
        if (s == null || s.records().length == 0) return Check.hold();
        long floorMs = Math.max(q.triggerIntervalMs() == null ? 0 : q.triggerIntervalMs(), 1000);
        Double latestSeconds = s.seconds(s.latest());
        boolean withinFloor = latestSeconds != null && latestSeconds * 1000 <= floorMs;
        if (s.latest() == 0 || withinFloor) return Check.clear();
        if (s.records().length < window) return Check.hold();
        long[] y = new long[window];
        System.arraycopy(s.records(), s.records().length - window, y, 0, window);
        double slope = DelayGrowing.slope(y);
        if (slope <= 0) return Check.clear();
        double share = DelayGrowing.risingShare(y);
        long rise = Math.round(slope * (window - 1));
        Double riseSeconds = s.seconds(rise);
        if (share < DelayGrowing.MIN_RISING_SHARE
                || (riseSeconds != null && riseSeconds * 1000 < floorMs)) return Check.hold();
        String behind =
                latestSeconds == null
                        ? ""
                        : " (" + Format.seconds(Math.round(latestSeconds * 1000)) + " behind)";
        return new Check(
                Verdict.FIRING,
                "backlog rose from "
                        + count(y[0])
                        + " to "
                        + count(y[window - 1])
                        + " records over "
                        + window
                        + " "
                        + s.what()
                        + behind,
                "Query '"
                        + q.query()
                        + "' of app '"
                        + q.app()
                        + "' is falling further behind its input: its backlog grew by "
                        + count(rise)
                        + " records across its last "
                        + window
                        + " "
                        + s.what()
                        + ", rising in "
                        + Math.round(share * 100)
                        + " % of them, to "
                        + count(y[window - 1])
                        + " records"
                        + (latestSeconds == null
                                ? ""
                                : ", about "
                                        + Format.seconds(Math.round(latestSeconds * 1000))
                                        + " of processing")
                        + ". It reads less per trigger than arrives.");
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
