package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.AppWindow;

/**
 * The driver is alive (heartbeats arrive) but no batch completes for 3 batch intervals plus {@code
 * appDownAfter}: a job is hung, or the scheduler is wedged. Clears when a batch completes.
 */
public final class AppStalled extends NamedRule<AppWindow> {
    public static final String NAME = "StreamingAppStalled";
    private final long downAfterMs;

    public AppStalled(long downAfterMs) {
        super(NAME, Severity.CRITICAL, 0, Trigger.SILENCE);
        this.downAfterMs = downAfterMs;
    }

    @Override
    public Check check(AppWindow app) {
        Long interval = app.batchIntervalMs();
        boolean alive = app.now() - app.lastSeen() <= downAfterMs;
        if (app.finished() || interval == null) return Check.clear();
        long idle = app.now() - app.lastProgressAt();
        if (idle <= 3 * interval + downAfterMs) return Check.clear();
        if (!alive) return Check.hold(); // that is AppDown's page
        return new Check(
                Verdict.FIRING,
                "heartbeats arrive but no batch completed for "
                        + Format.seconds(idle)
                        + " (interval "
                        + Format.seconds(interval)
                        + ")",
                "App '"
                        + app.app()
                        + "' is alive but has not completed a batch for "
                        + Format.seconds(idle)
                        + ". A job is probably hung (a stuck output, a lock, an executor that never returns); "
                        + "the driver's UI shows the running batch and its tasks.");
    }
}
