package io.streamwatch.service.poll.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Estimates how far behind the head a consumer is, in seconds, from the log end offsets the poller
 * sees over time (one {@link OffsetTimeline} per partition; see docs/KAFKA-LAG.md for the method
 * and a worked example). Costs no extra Kafka request: it reuses the end offsets every poll fetches
 * anyway. Memory is bounded: {@link OffsetTimeline#CAPACITY} points per partition, and partitions
 * not observed for {@code forgetAfterMs} are dropped. Not thread-safe: the poll thread owns it.
 */
final class LagSecondsEstimator {
    private final Map<TopicPartition, OffsetTimeline> timelines = new HashMap<>();
    private final long forgetAfterMs;

    LagSecondsEstimator(long forgetAfterMs) {
        this.forgetAfterMs = forgetAfterMs;
    }

    /**
     * Records the end offsets one poll saw at {@code at}, and forgets partitions no longer polled.
     */
    void observe(Map<TopicPartition, Long> endOffsets, long at) {
        endOffsets.forEach(
                (tp, end) ->
                        timelines.computeIfAbsent(tp, k -> new OffsetTimeline()).observe(end, at));
        timelines.values().removeIf(t -> at - t.lastObservedAt() > forgetAfterMs);
    }

    /**
     * @see OffsetTimeline#secondsBehind
     */
    Double secondsBehind(TopicPartition tp, long position, long end, long now) {
        if (position >= end) return 0.0;
        OffsetTimeline t = timelines.get(tp);
        return t == null ? null : t.secondsBehind(position, end, now);
    }

    /** Whether {@link #secondsBehind} for this position is only a lower bound. */
    boolean lowerBound(TopicPartition tp, long position) {
        OffsetTimeline t = timelines.get(tp);
        return t != null && t.olderThanMemory(position);
    }

    int partitions() {
        return timelines.size();
    }
}
