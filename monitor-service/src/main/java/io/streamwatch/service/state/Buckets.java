package io.streamwatch.service.state;

import java.util.Arrays;

/**
 * Fixed histogram buckets for batch durations, from tens of milliseconds to an hour: a healthy
 * sub-second micro-batch and an app an hour behind both land in a bucket that tells them apart.
 */
public final class Buckets {
    /** Upper bounds in seconds; +Inf is implicit. */
    public static final double[] SECONDS = {
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600
    };

    private final long[] counts = new long[SECONDS.length + 1];
    private long count;
    private double sumSeconds;

    void observe(long millis) {
        double s = millis / 1000.0;
        int i = 0;
        while (i < SECONDS.length && s > SECONDS[i]) i++;
        counts[i]++;
        count++;
        sumSeconds += s;
    }

    /**
     * Immutable copy for rendering. {@code counts} are per bucket, not cumulative; the last is
     * +Inf.
     */
    public record Snapshot(long[] counts, long count, double sumSeconds) {}

    void restore(Snapshot s) {
        if (s == null || s.counts().length != counts.length)
            return; // bucket layout changed: start afresh
        System.arraycopy(s.counts(), 0, counts, 0, counts.length);
        count = s.count();
        sumSeconds = s.sumSeconds();
    }

    Snapshot snapshot() {
        return new Snapshot(Arrays.copyOf(counts, counts.length), count, sumSeconds);
    }
}
