package io.streamwatch.service.state;

import java.util.Map;
import java.util.TreeMap;

/**
 * How far a micro-batch's Kafka sources were behind the head when it was planned: Spark's "offsets
 * behind latest", from the offsets each source reports.
 */
public final class SourceBacklog {
    private SourceBacklog() {}

    /**
     * Σ over the Kafka sources and their partitions of {@code latestOffset − endOffset}; null when
     * the micro-batch reads no Kafka source, or one of them lacks either offset.
     */
    public static Long recordsBehind(MicroBatch b) {
        long behind = 0;
        boolean kafka = false;
        for (MicroBatch.Source s : b.sources()) {
            if (s.description() == null || !s.description().startsWith("Kafka")) continue;
            Map<String, Map<Integer, Long>> end = new TreeMap<>();
            Map<String, Map<Integer, Long>> latest = new TreeMap<>();
            Queries.kafkaOffsets(s.endOffset(), end);
            Queries.kafkaOffsets(s.latestOffset(), latest);
            if (end.isEmpty() || latest.isEmpty()) return null;
            kafka = true;
            for (Map.Entry<String, Map<Integer, Long>> t : latest.entrySet()) {
                Map<Integer, Long> read = end.getOrDefault(t.getKey(), Map.of());
                for (Map.Entry<Integer, Long> p : t.getValue().entrySet()) {
                    Long done = read.get(p.getKey());
                    if (done != null && p.getValue() > done)
                        behind = Saturating.add(behind, p.getValue() - done);
                }
            }
        }
        return kafka ? behind : null;
    }
}
