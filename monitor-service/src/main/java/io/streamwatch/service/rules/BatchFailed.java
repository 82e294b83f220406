package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.BatchRecord;
import java.time.Instant;
import java.util.List;

/**
 * The newest batch has a failed output operation. Clears after {@code okToClear} consecutive
 * successful batches, so every-other-batch failures stay one page.
 */
public final class BatchFailed extends NamedRule<AppWindow> {
    public static final String NAME = "StreamingBatchFailed";
    private final int okToClear;

    public BatchFailed(int okToClear) {
        super(NAME, Severity.WARNING, okToClear, Trigger.EVIDENCE);
        this.okToClear = okToClear;
    }

    @Override
    public Check check(AppWindow app) {
        List<BatchRecord> recent = app.recent();
        if (recent.isEmpty()) return Check.hold();
        BatchRecord newest = recent.get(recent.size() - 1);
        if (newest.failed()) {
            String reason = Format.firstLine(newest.failureReason(), 300);
            return new Check(
                    Verdict.FIRING,
                    "batch " + Instant.ofEpochMilli(newest.batchTime()) + " failed: " + reason,
                    "An output operation of app '"
                            + app.app()
                            + "' failed in batch "
                            + Instant.ofEpochMilli(newest.batchTime())
                            + ". The batch's results were not written. Reason: "
                            + Format.firstLine(newest.failureReason(), 1000));
        }
        int ok = 0;
        for (int i = recent.size() - 1; i >= 0 && !recent.get(i).failed(); i--) ok++;
        return ok >= okToClear ? Check.clear() : Check.hold();
    }
}
