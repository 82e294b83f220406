package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.AppWindow;

/** A receiver reported an error. Clears once no receiver error has arrived for {@code quietMs}. */
public final class ReceiverError extends NamedRule<AppWindow> {
    public static final String NAME = "StreamingReceiverError";
    private final long quietMs;

    public ReceiverError(long quietMs) {
        super(NAME, Severity.WARNING, 0, Trigger.CLOCK);
        this.quietMs = quietMs;
    }

    @Override
    public Check check(AppWindow app) {
        if (app.receiverErrorAt() == 0
                || app.now() - app.receiverErrorAt() > quietMs
                || app.finished()) return Check.clear();
        return new Check(
                Verdict.FIRING,
                Format.firstLine(app.receiverError(), 300),
                "A receiver of app '"
                        + app.app()
                        + "' reported an error: "
                        + Format.firstLine(app.receiverError(), 1000)
                        + ". Its input may be missing data until it reconnects.");
    }
}
