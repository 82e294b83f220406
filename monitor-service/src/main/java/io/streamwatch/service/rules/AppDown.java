package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.AppWindow;

/**
 * The driver is gone: no heartbeat for {@code appDownAfter} and its REST API does not answer (or is
 * not polled). A clean application end is not a page. Clears when the app reports again, under the
 * same or a new app id.
 */
public final class AppDown extends NamedRule<AppWindow> {
    public static final String NAME = "StreamingAppDown";
    private final long downAfterMs;

    public AppDown(long downAfterMs) {
        super(NAME, Severity.CRITICAL, 0, Trigger.SILENCE);
        this.downAfterMs = downAfterMs;
    }

    @Override
    public Check check(AppWindow app) {
        long silent = app.now() - app.lastSeen();
        if (app.finished() || silent <= downAfterMs) return Check.clear();
        if (Boolean.TRUE.equals(app.restUp())) return Check.hold();
        String rest =
                app.restUp() == null
                        ? "its driver REST API is not polled"
                        : "its driver REST API does not answer";
        return new Check(
                Verdict.FIRING,
                "no heartbeat for "
                        + Format.seconds(silent)
                        + " and "
                        + rest.replace("its ", "the "),
                "App '"
                        + app.app()
                        + "' ("
                        + app.appId()
                        + ") has not reported for "
                        + Format.seconds(silent)
                        + " and "
                        + rest
                        + ". The driver has most likely died or lost its network; nothing is being processed.");
    }
}
