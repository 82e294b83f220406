package io.streamwatch.service.poll.kafka;

/**
 * One consumer's lag on one topic, summed over the topic's partitions.
 *
 * @param records end offset minus the consumer's position, summed over partitions (never negative)
 * @param seconds estimated time behind the head: the largest over the topic's partitions; exactly 0
 *     when {@code records} is 0; null when it cannot be estimated yet
 */
public record TopicLag(long records, Double seconds) {}
