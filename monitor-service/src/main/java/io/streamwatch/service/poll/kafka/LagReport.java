package io.streamwatch.service.poll.kafka;

import java.util.Map;

/**
 * What one successful poll found: lag per consumer group and per Spark app, each by topic.
 *
 * @param at poll time (epoch ms), the moment the end offsets were read
 */
public record LagReport(
        long at,
        Map<String, Map<String, TopicLag>> groups,
        Map<String, Map<String, TopicLag>> apps) {
    public LagReport {
        groups = Map.copyOf(groups);
        apps = Map.copyOf(apps);
    }

    static LagReport empty(long at) {
        return new LagReport(at, Map.of(), Map.of());
    }
}
