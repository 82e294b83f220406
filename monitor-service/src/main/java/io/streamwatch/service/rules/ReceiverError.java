package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.AppWindow;

/** A receiver reported an error. Clears once no receiver error has arrived for {@code quietMs}. */
public final class ReceiverError extends NamedRule<AppWindow> {
    public static final String NAME = "StreamingReceiverError";
    private final long quietMs;

    public ReceiverError(long quietMs) {
        super(NAME, Severity.WARNING);
        this.quietMs = quietMs;
    }

    /** Reads no batches: only the last receiver error. */
    @Override
    public int window() {
        return 0;
    }

    /**
     * It fires when an error arrives, but clears when {@code quietMs} pass without one: time
     * passing.
     */
    @Override
    public boolean clockDriven() {
        return true;
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
