package io.streamwatch.service.poll.kafka;

/**
 * One consumer's lag on one topic, summed over the topic's partitions.
 *
 * @param records end offset minus the consumer's position, summed over partitions (never negative)
 * @param seconds estimated time behind the head: the largest over the topic's partitions; exactly 0
 *     when {@code records} is 0; null when it cannot be estimated yet
 * @param secondsAtLeast {@code seconds} is a lower bound (a position older than the poller's
 *     memory, or partitions not estimable yet)
 */
public record TopicLag(long records, Double seconds, boolean secondsAtLeast) {
    public TopicLag(long records, Double seconds) {
        this(records, seconds, false);
    }
}
