package io.streamwatch.service.state;

import java.util.Arrays;

/**
 * Fixed histogram buckets for batch durations, from a tenth of a second to an hour. What reads them
 * is {@code histogram_quantile} in the dashboards (p50, p95, p99) and the recording rules (p95 over
 * the batch or trigger interval, the headroom ratio, read against 0.5 and 1): batch and trigger
 * intervals are a second or more in practice, so 0.1 s is the finest bound that tells a ratio
 * apart, and an app an hour behind still lands in a bucket of its own. Only buckets that hold
 * observations are exposed (see the metrics exposition), so an unused bound costs nothing.
 */
public final class Buckets {
    /** Upper bounds in seconds; +Inf is implicit. */
    public static final double[] SECONDS = {
        0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600
    };

    /**
     * The bounds before issue 15 (stored histograms in that layout are folded into this one on
     * restore: every bound of {@link #SECONDS} is one of these).
     */
    static final double[] PREVIOUS_SECONDS = {
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600
    };

    private final long[] counts = new long[SECONDS.length + 1];
    private long count;
    private double sumSeconds;

    void observe(long millis) {
        double s = millis / 1000.0;
        counts[index(s)]++;
        count++;
        sumSeconds += s;
    }

    private static int index(double seconds) {
        int i = 0;
        while (i < SECONDS.length && seconds > SECONDS[i]) i++;
        return i;
    }

    /**
     * Immutable copy for rendering. {@code counts} are per bucket, not cumulative; the last is
     * +Inf.
     */
    public record Snapshot(long[] counts, long count, double sumSeconds) {}

    void restore(Snapshot s) {
        if (s == null) return;
        if (s.counts().length == PREVIOUS_SECONDS.length + 1) {
            long[] folded = new long[counts.length];
            for (int i = 0; i < s.counts().length; i++) {
                double bound =
                        i < PREVIOUS_SECONDS.length
                                ? PREVIOUS_SECONDS[i]
                                : Double.POSITIVE_INFINITY;
                folded[index(bound)] += s.counts()[i];
            }
            s = new Snapshot(folded, s.count(), s.sumSeconds());
        }
        if (s.counts().length != counts.length) return; // an unknown layout: start afresh
        System.arraycopy(s.counts(), 0, counts, 0, counts.length);
        count = s.count();
        sumSeconds = s.sumSeconds();
    }

    Snapshot snapshot() {
        return new Snapshot(Arrays.copyOf(counts, counts.length), count, sumSeconds);
    }
}
