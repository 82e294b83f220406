package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.BatchRecord;
import java.util.List;

/**
 * A sustained rise of total delay (scheduling + processing) across the last {@code window} batches:
 * the app is falling further behind with every batch. A trend, not a threshold (docs/ALERTS.md): it
 * fires only when all of these hold over the window —
 *
 * <ul>
 *   <li>the least-squares slope of total delay per batch is positive, and over the window adds up
 *       to at least one batch interval (and at least {@value #MIN_RISE_MS} ms);
 *   <li>at least {@value #MIN_RISING_SHARE} of the steps between consecutive batches rise;
 *   <li>the latest total delay is above the batch interval (a tiny delay does not page).
 * </ul>
 *
 * It clears when the delay is back within one batch interval, or when the fitted slope is no longer
 * positive (the app is catching up). One spike, or the sawtooth of a busy micro-batch, fails the
 * rising-share test; a steady climb passes all three.
 */
public final class DelayGrowing extends NamedRule<AppWindow> {
    public static final String NAME = "StreamingDelayGrowing";
    static final long MIN_RISE_MS = 1000;
    static final double MIN_RISING_SHARE = 0.6;
    private final int window;

    public DelayGrowing(int window) {
        super(NAME, Severity.CRITICAL, window, Trigger.EVIDENCE);
        this.window = window;
    }

    /** Least-squares slope of y over x = 0..n-1. */
    static double slope(long[] y) {
        int n = y.length;
        double meanX = (n - 1) / 2.0;
        double meanY = 0;
        for (long v : y) meanY += v;
        meanY /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (i - meanX) * (y[i] - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return den == 0 ? 0 : num / den;
    }

    static double risingShare(long[] y) {
        int rising = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[i - 1]) rising++;
        return y.length < 2 ? 0 : rising / (double) (y.length - 1);
    }

    @Override
    public Check check(AppWindow app) {
        Long interval = app.batchIntervalMs();
        List<BatchRecord> recent = app.recent();
        if (interval == null || recent.size() < window) {
            BatchRecord newest = app.newest();
            return interval != null && newest != null && newest.totalDelayMs() <= interval
                    ? Check.clear()
                    : Check.hold();
        }
        long[] delay = new long[window];
        for (int i = 0; i < window; i++)
            delay[i] = recent.get(recent.size() - window + i).totalDelayMs();
        double slope = slope(delay);
        double rise = slope * (window - 1);
        double share = risingShare(delay);
        long latest = delay[window - 1];
        if (latest <= interval || slope <= 0) return Check.clear();
        if (rise >= Math.max(interval, MIN_RISE_MS) && share >= MIN_RISING_SHARE) {
            String summary =
                    "total delay rose from "
                            + Format.seconds(delay[0])
                            + " to "
                            + Format.seconds(latest)
                            + " over "
                            + window
                            + " batches (+"
                            + Format.seconds(Math.round(slope))
                            + " per batch)";
            return new Check(
                    Verdict.FIRING,
                    summary,
                    "App '"
                            + app.app()
                            + "' is falling further behind with every batch: its total delay "
                            + "(scheduling + processing) grew by "
                            + Format.seconds(Math.round(rise))
                            + " across its last "
                            + window
                            + " batches, rising in "
                            + Math.round(share * 100)
                            + " % of them, against a "
                            + Format.seconds(interval)
                            + " batch interval. Data now waits "
                            + Format.seconds(latest)
                            + " before its results exist.");
        }
        return Check.hold();
    }
}
