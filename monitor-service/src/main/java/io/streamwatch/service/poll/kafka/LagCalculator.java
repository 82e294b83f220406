package io.streamwatch.service.poll.kafka;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Lag of one consumer (a consumer group's committed offsets, or the offsets a Spark app's batches
 * processed) from one poll's offsets. Pure: no I/O, no clock.
 *
 * <p>Every partition of each topic counts, not only those the consumer has a position for: a
 * partition the consumer never committed (or the app never processed) counts from its log start
 * offset, since everything still in the log is waiting for it. A topic whose partitions' offsets
 * are not all known this poll is left out rather than under-reported.
 */
final class LagCalculator {
    private LagCalculator() {}

    /** The offsets one poll gathered. */
    record Offsets(
            Map<String, List<Integer>> partitions,
            Map<TopicPartition, Long> end,
            Map<TopicPartition, Long> start,
            long at) {}

    /**
     * @param positions the consumer's next offset to read per partition, by topic (partitions
     *     absent: never consumed)
     * @return lag per topic, for the topics of {@code positions} whose offsets are all known
     */
    static Map<String, TopicLag> lag(
            Map<String, Map<Integer, Long>> positions, Offsets o, LagSecondsEstimator seconds) {
        Map<String, TopicLag> out = new TreeMap<>();
        topics:
        for (var e : positions.entrySet()) {
            String topic = e.getKey();
            List<Integer> parts = o.partitions().get(topic);
            if (parts == null || parts.isEmpty()) continue;
            long records = 0;
            Double worst = null;
            boolean unknownSeconds = false;
            boolean lowerBound = false;
            for (int p : parts) {
                TopicPartition tp = new TopicPartition(topic, p);
                Long end = o.end().get(tp);
                Long position = e.getValue().get(p);
                if (position == null) position = o.start().get(tp);
                if (end == null || position == null) continue topics;
                long lag = Math.max(0, end - position);
                records += lag;
                Double s =
                        lag == 0
                                ? Double.valueOf(0.0)
                                : seconds.secondsBehind(tp, position, end, o.at());
                if (s == null) unknownSeconds = true;
                else if (worst == null || s > worst) worst = s;
                if (lag > 0 && s != null && seconds.lowerBound(tp, position)) lowerBound = true;
            }
            // With some lagging partitions not estimable yet, the largest known value is still a
            // lower bound;
            // with none known, no value is better than a made-up one.
            Double topicSeconds =
                    records == 0
                            ? Double.valueOf(0.0)
                            : (worst == null || (unknownSeconds && worst == 0.0) ? null : worst);
            out.put(
                    topic,
                    new TopicLag(
                            records,
                            topicSeconds,
                            topicSeconds != null && (lowerBound || unknownSeconds)));
        }
        return out;
    }

    /**
     * Total records over topics and the largest seconds value (null if none is known), for the
     * alert windows.
     */
    static long totalRecords(Map<String, TopicLag> byTopic) {
        long sum = 0;
        for (TopicLag t : byTopic.values()) sum += t.records();
        return sum;
    }

    static Double maxSeconds(Map<String, TopicLag> byTopic) {
        Double max = null;
        for (TopicLag t : byTopic.values()) {
            if (t.seconds() != null && (max == null || t.seconds() > max)) max = t.seconds();
        }
        return max;
    }

    /**
     * Whether {@link #maxSeconds} is only a lower bound: some lagging topic's value is one, or is
     * not known at all.
     */
    static boolean secondsAtLeast(Map<String, TopicLag> byTopic) {
        for (TopicLag t : byTopic.values()) {
            if (t.records() > 0 && (t.secondsAtLeast() || t.seconds() == null)) return true;
        }
        return false;
    }
}
