package io.streamwatch.service.state;

import java.util.Map;

/**
 * The Kafka offsets one app's newest completed batch had processed up to, per topic and partition
 * ({@code untilOffset} of the batch's offset ranges), from its Kafka direct stream inputs.
 *
 * @param batchTime batch time of that newest batch (epoch ms)
 * @param observedAt service time when that batch was applied
 */
public record KafkaProgress(
        String app,
        String appId,
        Map<String, Map<Integer, Long>> offsets,
        long batchTime,
        long observedAt) {}
