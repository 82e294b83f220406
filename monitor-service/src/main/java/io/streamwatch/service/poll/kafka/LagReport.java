package io.streamwatch.service.poll.kafka;

import java.util.Map;

/**
 * What one successful poll found: lag per consumer group, per Spark app and per Structured
 * Streaming query, each by topic.
 *
 * @param at poll time (epoch ms), the moment the end offsets were read
 * @param queries by app, then by query key
 */
public record LagReport(
        long at,
        Map<String, Map<String, TopicLag>> groups,
        Map<String, Map<String, TopicLag>> apps,
        Map<String, Map<String, Map<String, TopicLag>>> queries) {
    public LagReport {
        groups = Map.copyOf(groups);
        apps = Map.copyOf(apps);
        queries = Map.copyOf(queries);
    }

    static LagReport empty(long at) {
        return new LagReport(at, Map.of(), Map.of(), Map.of());
    }
}
