package io.streamwatch.service.poll.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What the poller asks of a Kafka cluster, each a single batched request however many groups,
 * topics or partitions. {@link AdminKafkaOffsets} asks a real cluster through the Admin API.
 *
 * <p>A method throws {@link Unreachable} when the cluster did not answer at all (the poll fails); a
 * problem with one group or topic (no access, deleted) is reported for that one only.
 */
interface KafkaOffsets extends AutoCloseable {

    /** The cluster did not answer within the request timeout, or refused the client outright. */
    final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Answers for several subjects at once.
     *
     * @param values per subject that answered
     * @param problems per subject that did not, what went wrong
     */
    record Answer<T>(Map<String, T> values, Map<String, String> problems) {}

    /** Fails when the cluster does not answer. */
    void ping() throws Unreachable;

    /**
     * Committed offsets per group: topic → partition → offset. Partitions never committed are
     * absent.
     */
    Answer<Map<String, Map<Integer, Long>>> committed(Collection<String> groups) throws Unreachable;

    /** All partition numbers of each topic. */
    Answer<List<Integer>> partitions(Collection<String> topics) throws Unreachable;

    /** Log end offsets; partitions that could not be read are absent. */
    Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) throws Unreachable;

    /** Log start offsets; partitions that could not be read are absent. */
    Map<TopicPartition, Long> startOffsets(Collection<TopicPartition> partitions)
            throws Unreachable;

    @Override
    void close();
}
