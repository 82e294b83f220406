package io.streamwatch.demo;

/**
 * The producer's rate over time, counted from the moment streaming starts: {@code steadySeconds} at
 * {@code baseRate}, then {@code surgeSeconds} at {@code surgeRate}, then {@code baseRate} again.
 *
 * <p>The app (see {@link StreamingApp}) costs {@link StreamingApp#COST_MICROS_PER_RECORD} per
 * record on each of its 2 partitions, so it keeps up with roughly 2 / cost records a second. The
 * base rate is far below that; the surge rate is well above it and equal to the per-batch cap
 * ({@code maxRatePerPartition} × partitions), so each surge batch takes about 1.5 s against a 1 s
 * interval: batches queue and the delay climbs by ~0.5 s a batch. Once the surge ends, the queued
 * big batches finish, the small ones behind them take ~0.3 s each and the queue drains. The {@link
 * ClicksQuery} pays the same cost per record in 2 s micro-batches capped at the surge's 1,600
 * records: ~3.3 s each during the surge, so its Kafka backlog grows the same way and drains after.
 */
record Timeline(int steadySeconds, int surgeSeconds, int baseRate, int surgeRate) {
    /**
     * ./run-demo.sh: the app's alerts fire ~5–10 s into the surge and resolve ~50 s after it
     * starts; the query's ~10–25 s into it, resolved ~55 s after it starts.
     */
    static final Timeline FULL = new Timeline(20, 30, 100, 800);

    /** The tests' timeline: the same story, told in about half the time. */
    static final Timeline QUICK = new Timeline(8, 14, 100, 800);

    /** Records per second the producer sends {@code secondsSinceStart} into the run. */
    int rateAt(double secondsSinceStart) {
        return inSurge(secondsSinceStart) ? surgeRate : baseRate;
    }

    boolean inSurge(double secondsSinceStart) {
        return secondsSinceStart >= steadySeconds
                && secondsSinceStart < steadySeconds + surgeSeconds;
    }
}
