package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QueryWindow;
import java.util.List;

/**
 * {@code StreamingBatchTooSlow} for a query: {@code triggerExecution} above the trigger interval
 * for {@code k} consecutive micro-batches of the current run, so each trigger starts late and the
 * query falls behind. Clears after {@code k} consecutive micro-batches at or under the interval.
 * Not evaluated without an interval (default, once, available-now and continuous triggers): then it
 * holds.
 */
public final class MicroBatchTooSlow extends NamedRule<QueryWindow> {
    private final int k;

    public MicroBatchTooSlow(int consecutive) {
        super(
                BatchTooSlow.NAME,
                Severity.WARNING,
                Math.max(consecutive, BatchTooSlow.STREAK_SHOWN),
                Trigger.EVIDENCE);
        this.k = consecutive;
    }

    @Override
    public Check check(QueryWindow q) {
        if (!q.live()) return QueryStops.heldOrClear(q);
        Long interval = q.triggerIntervalMs();
        List<MicroBatch> recent = q.recent();
        if (interval == null || recent.isEmpty()) return Check.hold();
        int slow = 0;
        int fast = 0;
        for (int i = recent.size() - 1; i >= 0 && (slow == 0 || fast == 0); i--) {
            boolean isSlow = recent.get(i).triggerExecutionMs() > interval;
            if (isSlow && fast == 0) slow++;
            else if (!isSlow && slow == 0) fast++;
            else break;
        }
        long last = recent.get(recent.size() - 1).triggerExecutionMs();
        if (slow >= k) {
            long worst = 0;
            for (int i = recent.size() - k; i < recent.size(); i++)
                worst = Math.max(worst, recent.get(i).triggerExecutionMs());
            return new Check(
                    Verdict.FIRING,
                    "micro-batch "
                            + Format.seconds(last)
                            + " > trigger interval "
                            + Format.seconds(interval)
                            + " for "
                            + slow
                            + " micro-batches",
                    "Query '"
                            + q.query()
                            + "' of app '"
                            + q.app()
                            + "' took longer than its "
                            + Format.seconds(interval)
                            + " trigger interval to run each of its last "
                            + slow
                            + " micro-batches (latest "
                            + Format.seconds(last)
                            + ", worst "
                            + Format.seconds(worst)
                            + "). Every trigger starts late and the query falls further behind its input.");
        }
        if (fast >= k) return Check.clear();
        if (slow > 0) {
            return new Check(
                    Verdict.PENDING,
                    "micro-batch "
                            + Format.seconds(last)
                            + " > trigger interval "
                            + Format.seconds(interval)
                            + " for "
                            + slow
                            + " of "
                            + k
                            + " micro-batches",
                    null);
        }
        return Check.hold();
    }
}
