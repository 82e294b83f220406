package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QueryWindow;
import io.streamwatch.service.state.StateHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * {@code StreamingStateGrowing}: the query's state (rows or memory, summed over its state
 * operators) keeps rising over {@code alerting.stateGrowthWindow} without levelling off — a
 * capacity problem (a watermark that does not evict, keys that never expire). Read from the query's
 * downsampled state history (about {@value StateHistory#SAMPLES} samples per window) plus its
 * newest micro-batch. It fires when, over a window at least {@value #MIN_COVERAGE_PCT} % covered by
 * samples:
 *
 * <ul>
 *   <li>the least-squares slope is positive and adds up to at least {@value #MIN_GROWTH_PCT} % of
 *       the latest value (and at least {@value #MIN_ROWS} rows or {@value #MIN_BYTES} bytes);
 *   <li>at least {@value DelayGrowing#MIN_RISING_SHARE} of the steps between samples rise;
 *   <li>the newest third of the window still rises at least half as fast as the whole (not
 *       levelling off).
 * </ul>
 *
 * It clears when the newest third rises at less than a fifth of the whole window's pace (levelled
 * off, or falling: a watermark caught up, a restart from an empty checkpoint), or the query no
 * longer runs.
 */
public final class StateGrowing extends NamedRule<QueryWindow> {
    public static final String NAME = "StreamingStateGrowing";
    static final int MIN_COVERAGE_PCT = 75;
    static final int MIN_SAMPLES = 8;
    static final int MIN_GROWTH_PCT = 10;
    static final long MIN_ROWS = 1000;
    static final long MIN_BYTES = 8L << 20;
    private final long windowMs;

    public StateGrowing(long windowMs) {
        super(NAME, Severity.WARNING, 1, Trigger.EVIDENCE);
        this.windowMs = windowMs;
    }

    /** What one series concluded, with its words for the page. */
    private record Trend(Verdict verdict, String words) {}

    @Override
    public Check check(QueryWindow q) {
        if (!q.live()) return QueryStops.heldOrClear(q);
        List<StateHistory.Sample> samples = samples(q);
        if (samples.size() < 2) return Check.hold();
        long newest = samples.get(samples.size() - 1).at();
        if (newest - samples.get(0).at() < windowMs * MIN_COVERAGE_PCT / 100
                || samples.size() < MIN_SAMPLES) return Check.hold();
        Trend rows = trend(samples, StateHistory.Sample::rows, MIN_ROWS, "state rows", false);
        Trend memory =
                trend(samples, StateHistory.Sample::memoryBytes, MIN_BYTES, "state memory", true);
        if (rows.verdict() == Verdict.FIRING || memory.verdict() == Verdict.FIRING) {
            String words =
                    rows.verdict() == Verdict.FIRING && memory.verdict() == Verdict.FIRING
                            ? rows.words() + "; " + memory.words()
                            : rows.verdict() == Verdict.FIRING ? rows.words() : memory.words();
            return new Check(
                    Verdict.FIRING,
                    words,
                    "The state of query '"
                            + q.query()
                            + "' of app '"
                            + q.app()
                            + "' keeps growing without levelling off ("
                            + words
                            + "). At this pace it outgrows executor memory or the state store; "
                            + "check its watermark and the keys its state is grouped by.");
        }
        if (rows.verdict() == Verdict.CLEAR && memory.verdict() == Verdict.CLEAR)
            return Check.clear();
        return Check.hold();
    }

    /** The history within the window, with the newest micro-batch's state added when newer. */
    private List<StateHistory.Sample> samples(QueryWindow q) {
        List<StateHistory.Sample> all = new ArrayList<>(q.stateHistory());
        MicroBatch b = q.newest();
        if (b != null && (all.isEmpty() || b.timestamp() > all.get(all.size() - 1).at()))
            all.add(new StateHistory.Sample(b.timestamp(), b.stateRows(), b.stateMemoryBytes()));
        if (all.isEmpty()) return all;
        long newest = all.get(all.size() - 1).at();
        List<StateHistory.Sample> out = new ArrayList<>(all.size());
        for (StateHistory.Sample s : all) if (newest - s.at() <= windowMs) out.add(s);
        return out;
    }

    private Trend trend(
            List<StateHistory.Sample> samples,
            ToLongFunction<StateHistory.Sample> value,
            long minRise,
            String what,
            boolean bytes) {
        int n = samples.size();
        double slope = slope(samples, value, 0);
        double recent = slope(samples, value, n - Math.max(3, n / 3));
        if (slope <= 0 || recent < slope / 5) return new Trend(Verdict.CLEAR, null);
        long first = value.applyAsLong(samples.get(0));
        long last = value.applyAsLong(samples.get(n - 1));
        long span = samples.get(n - 1).at() - samples.get(0).at();
        double rise = slope * span;
        int rising = 0;
        for (int i = 1; i < n; i++)
            if (value.applyAsLong(samples.get(i)) > value.applyAsLong(samples.get(i - 1))) rising++;
        boolean grows =
                rise >= Math.max(minRise, last * MIN_GROWTH_PCT / 100.0)
                        && rising >= DelayGrowing.MIN_RISING_SHARE * (n - 1)
                        && recent >= slope / 2;
        if (!grows) return new Trend(Verdict.HOLD, null);
        double perHour = last <= 0 ? 0 : slope * 3_600_000 / last * 100;
        return new Trend(
                Verdict.FIRING,
                what
                        + " rose from "
                        + amount(first, bytes)
                        + " to "
                        + amount(last, bytes)
                        + " over "
                        + Format.seconds(span)
                        + String.format(Locale.ROOT, " (+%.0f %% of it per hour)", perHour)
                        + ", still rising");
    }

    /** Least-squares slope per ms of the samples from index {@code from} on. */
    private static double slope(
            List<StateHistory.Sample> samples,
            ToLongFunction<StateHistory.Sample> value,
            int from) {
        int n = samples.size() - from;
        if (n < 2) return 0;
        double meanX = 0;
        double meanY = 0;
        long t0 = samples.get(from).at();
        for (int i = from; i < samples.size(); i++) {
            meanX += samples.get(i).at() - t0;
            meanY += value.applyAsLong(samples.get(i));
        }
        meanX /= n;
        meanY /= n;
        double num = 0;
        double den = 0;
        for (int i = from; i < samples.size(); i++) {
            double dx = samples.get(i).at() - t0 - meanX;
            num += dx * (value.applyAsLong(samples.get(i)) - meanY);
            den += dx * dx;
        }
        return den == 0 ? 0 : num / den;
    }

    private static String amount(long v, boolean bytes) {
        if (!bytes) return String.format(Locale.ROOT, "%,d", v);
        return String.format(Locale.ROOT, "%.1f MiB", v / (1024.0 * 1024));
    }
}
