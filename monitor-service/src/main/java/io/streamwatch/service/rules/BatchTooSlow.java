package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.BatchRecord;
import java.util.List;

/**
 * Processing time above the batch interval for {@code k} consecutive completed batches: the app
 * cannot keep up and its backlog is growing. Clears after {@code k} consecutive batches within the
 * interval, so an app hovering at 100 % does not flap.
 */
public final class BatchTooSlow extends NamedRule<AppWindow> {
    public static final String NAME = "StreamingBatchTooSlow";
    static final int STREAK_SHOWN = 10;
    private final int k;

    public BatchTooSlow(int consecutive) {
        super(NAME, Severity.WARNING, Math.max(consecutive, STREAK_SHOWN), Trigger.EVIDENCE);
        this.k = consecutive;
    }

    @Override
    public Check check(AppWindow app) {
        Long interval = app.batchIntervalMs();
        List<BatchRecord> recent = app.recent();
        if (interval == null || recent.isEmpty()) return Check.hold();
        int slow = 0;
        int fast = 0;
        for (int i = recent.size() - 1; i >= 0 && (slow == 0 || fast == 0); i--) {
            boolean isSlow = recent.get(i).processingTimeMs() > interval;
            if (isSlow && fast == 0) slow++;
            else if (!isSlow && slow == 0) fast++;
            else break;
        }
        if (slow >= k) {
            long worst = 0;
            long last = recent.get(recent.size() - 1).processingTimeMs();
            for (int i = recent.size() - k; i < recent.size(); i++)
                worst = Math.max(worst, recent.get(i).processingTimeMs());
            String summary =
                    "processing "
                            + Format.seconds(last)
                            + " > interval "
                            + Format.seconds(interval)
                            + " for "
                            + slow
                            + " batches";
            return new Check(
                    Verdict.FIRING,
                    summary,
                    "App '"
                            + app.app()
                            + "' took longer than its "
                            + Format.seconds(interval)
                            + " batch interval to process each of its last "
                            + slow
                            + " batches (latest "
                            + Format.seconds(last)
                            + ", worst "
                            + Format.seconds(worst)
                            + "). New batches queue up behind it and its delay will keep growing.");
        }
        if (fast >= k) return Check.clear();
        if (slow > 0) {
            return new Check(
                    Verdict.PENDING,
                    "processing "
                            + Format.seconds(recent.get(recent.size() - 1).processingTimeMs())
                            + " > interval "
                            + Format.seconds(interval)
                            + " for "
                            + slow
                            + " of "
                            + k
                            + " batches",
                    null);
        }
        return Check.hold();
    }
}
