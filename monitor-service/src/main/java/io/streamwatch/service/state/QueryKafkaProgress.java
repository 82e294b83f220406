package io.streamwatch.service.state;

import java.util.Map;

/**
 * The Kafka offsets one query's newest micro-batch had read up to (its sources' {@code endOffset}),
 * per topic and partition, for the Kafka lag poller.
 *
 * @param timestamp Spark's progress timestamp of that micro-batch (epoch ms)
 * @param observedAt service time when it was applied
 */
public record QueryKafkaProgress(
        String app,
        String query,
        String runId,
        Map<String, Map<Integer, Long>> offsets,
        long timestamp,
        long observedAt) {}
