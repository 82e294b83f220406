package io.streamwatch.service.poll.kafka;

import io.streamwatch.service.config.ServiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@link KafkaOffsets} through the kafka-clients Admin API: one Admin client for the service's
 * life, which reconnects by itself when the cluster comes back. Every call carries the configured
 * request timeout, so a dead cluster costs at most that per poll.
 */
final class AdminKafkaOffsets implements KafkaOffsets {
    private final Admin admin;
    private final int timeoutMs;

    private AdminKafkaOffsets(Admin admin, int timeoutMs) {
        this.admin = admin;
        this.timeoutMs = timeoutMs;
    }

    /** Creates the Admin client (no I/O yet). Throws if the properties are unusable. */
    static AdminKafkaOffsets create(ServiceConfig.Kafka config) {
        return new AdminKafkaOffsets(
                Admin.create(clientProperties(config)), timeoutMs(config.requestTimeout()));
    }

    /**
     * {@code kafka.properties} as given (SASL, SSL, anything the Admin client takes), over defaults
     * that keep a dead cluster from blocking a poll beyond {@code kafka.requestTimeout}; {@code
     * bootstrap.servers} always comes from {@code kafka.bootstrapServers}.
     */
    static Properties clientProperties(ServiceConfig.Kafka config) {
        String timeout = String.valueOf(timeoutMs(config.requestTimeout()));
        Properties p = new Properties();
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamwatch-lag");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "5000");
        p.putAll(config.properties().values());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return p;
    }

    private static int timeoutMs(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    @Override
    public void ping() throws Unreachable {
        try {
            await(
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                            .nodes(),
                    "describeCluster");
        } catch (Failed f) {
            // Not answering, or refusing us outright (authentication): either way the cluster
            // cannot be polled.
            throw new Unreachable("describeCluster: " + f.getMessage(), f.getCause());
        }
    }

    @Override
    public Answer<Map<String, Map<Integer, Long>>> committed(Collection<String> groups)
            throws Unreachable {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        for (String g : groups) specs.put(g, new ListConsumerGroupOffsetsSpec());
        ListConsumerGroupOffsetsResult result =
                admin.listConsumerGroupOffsets(
                        specs, new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs));
        Map<String, KafkaFuture<Map<TopicPartition, OffsetAndMetadata>>> futures = new TreeMap<>();
        for (String g : groups) futures.put(g, result.partitionsToOffsetAndMetadata(g));
        Map<String, String> problems = new TreeMap<>();
        Map<String, Map<String, Map<Integer, Long>>> values = new TreeMap<>();
        collect(futures, "listConsumerGroupOffsets", problems)
                .forEach(
                        (g, offsets) -> {
                            Map<String, Map<Integer, Long>> byTopic = new TreeMap<>();
                            offsets.forEach(
                                    (tp, om) -> {
                                        if (om != null)
                                            byTopic.computeIfAbsent(
                                                            tp.topic(), t -> new TreeMap<>())
                                                    .put(tp.partition(), om.offset());
                                    });
                            values.put(g, byTopic);
                        });
        return new Answer<>(values, problems);
    }

    @Override
    public Answer<List<Integer>> partitions(Collection<String> topics) throws Unreachable {
        Map<String, KafkaFuture<TopicDescription>> futures =
                admin.describeTopics(topics, new DescribeTopicsOptions().timeoutMs(timeoutMs))
                        .topicNameValues();
        Map<String, String> problems = new TreeMap<>();
        Map<String, List<Integer>> values = new TreeMap<>();
        collect(futures, "describeTopics", problems)
                .forEach(
                        (t, d) -> {
                            List<Integer> parts = new ArrayList<>();
                            for (TopicPartitionInfo p : d.partitions()) parts.add(p.partition());
                            values.put(t, parts);
                        });
        return new Answer<>(values, problems);
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions)
            throws Unreachable {
        return offsets(partitions, OffsetSpec.latest());
    }

    @Override
    public Map<TopicPartition, Long> startOffsets(Collection<TopicPartition> partitions)
            throws Unreachable {
        return offsets(partitions, OffsetSpec.earliest());
    }

    /**
     * Partitions whose offsets could not be read (no leader) are left out; their topics are skipped
     * for this poll.
     */
    private Map<TopicPartition, Long> offsets(
            Collection<TopicPartition> partitions, OffsetSpec spec) throws Unreachable {
        if (partitions.isEmpty()) return Map.of();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicPartition tp : partitions) request.put(tp, spec);
        ListOffsetsResult result =
                admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(timeoutMs));
        Map<TopicPartition, KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo>> futures =
                new HashMap<>();
        for (TopicPartition tp : partitions) futures.put(tp, result.partitionResult(tp));
        Map<TopicPartition, Long> out = new HashMap<>();
        collect(futures, "listOffsets", new HashMap<>())
                .forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /**
     * The answers that came, with a problem for each item that failed. Only when every item failed
     * for want of an answer (timeouts, no leader, no coordinator) is the cluster unreachable; one
     * unavailable partition or group does not hide the others.
     */
    private <K, T> Map<K, T> collect(
            Map<K, KafkaFuture<T>> futures, String call, Map<K, String> problems)
            throws Unreachable {
        Map<K, T> values = new HashMap<>();
        Failed unavailable = null;
        int unavailableCount = 0;
        for (var e : futures.entrySet()) {
            try {
                values.put(e.getKey(), await(e.getValue(), call));
            } catch (Failed f) {
                problems.put(
                        e.getKey(),
                        f.getCause() instanceof UnknownTopicOrPartitionException
                                ? "topic does not exist"
                                : f.getMessage());
                if (f.unavailable) {
                    unavailable = f;
                    unavailableCount++;
                }
            }
        }
        if (unavailable != null && unavailableCount == futures.size()) {
            throw new Unreachable(call + ": " + unavailable.getMessage(), unavailable.getCause());
        }
        return values;
    }

    /** A failure of one item (group, topic, partition). */
    private static final class Failed extends Exception {
        /**
         * No answer (timeout, no leader or coordinator) rather than a refusal (authorization,
         * unknown topic).
         */
        final boolean unavailable;

        Failed(Throwable cause, boolean unavailable) {
            super(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
            this.unavailable = unavailable;
        }
    }

    private <T> T await(KafkaFuture<T> future, String call) throws Unreachable, Failed {
        try {
            // The Admin call times out by itself; the extra second only guards against a client
            // that never completes.
            return future.get(timeoutMs + 1000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(call + " interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Failed(
                    new TimeoutException(call + " did not complete within " + timeoutMs + " ms"),
                    true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            boolean unavailable =
                    cause instanceof TimeoutException
                            || (cause instanceof RetriableException
                                    && !(cause instanceof UnknownTopicOrPartitionException));
            throw new Failed(cause, unavailable);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
