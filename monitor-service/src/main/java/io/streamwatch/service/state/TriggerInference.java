package io.streamwatch.service.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The trigger interval of a query whose trigger the listener could not read, from its micro-batch
 * timestamps. Spark starts processing-time triggers at multiples of the interval since the epoch,
 * so their progress timestamps sit just after such multiples; a query running as fast as possible
 * has no such alignment and gets no interval.
 */
final class TriggerInference {
    /** Fewer micro-batches than this say nothing. */
    static final int MIN_BATCHES = 4;

    private TriggerInference() {}

    /**
     * The interval in ms, or null. The candidate is the smallest gap between the timestamps of
     * consecutive batch ids, rounded to 100 ms; it is accepted only if at least 80 % of the
     * timestamps lie within min(100 ms, candidate / 10) after a multiple of it.
     *
     * @param batches micro-batches of one run (one query id), in any order
     */
    static Long intervalMs(List<MicroBatch> batches) {
        if (batches.size() < MIN_BATCHES) return null;
        List<MicroBatch> sorted = new ArrayList<>(batches);
        sorted.sort(Comparator.comparingLong(MicroBatch::batchId));
        long smallest = Long.MAX_VALUE;
        for (int i = 1; i < sorted.size(); i++) {
            MicroBatch a = sorted.get(i - 1);
            MicroBatch b = sorted.get(i);
            if (b.batchId() == a.batchId() + 1 && b.timestamp() > a.timestamp())
                smallest = Math.min(smallest, b.timestamp() - a.timestamp());
        }
        if (smallest == Long.MAX_VALUE) return null;
        long candidate = Math.round(smallest / 100.0) * 100;
        if (candidate <= 0) return null;
        long tolerance = Math.min(100, candidate / 10);
        int aligned = 0;
        for (MicroBatch b : sorted) {
            if (Math.floorMod(b.timestamp(), candidate) <= tolerance) aligned++;
        }
        return aligned * 5L >= sorted.size() * 4L ? candidate : null;
    }
}
