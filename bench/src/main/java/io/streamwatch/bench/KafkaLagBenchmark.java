package io.streamwatch.bench;

import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code kafka_lag_poll_ms_<P>_partitions}: a real single-node KRaft broker (e2e/kafka-broker, as a
 * child JVM), a topic with P partitions holding a few records each, a consumer group with a
 * committed offset on every partition, and the service jar configured to poll that group's lag. The
 * figure is the service's own {@code streamwatch_kafka_poll_seconds} (the wall time of one whole
 * poll: describeCluster, listConsumerGroupOffsets, describeTopics, listOffsets, lag computation),
 * read after each poll; the first poll (client bootstrap, metadata) is reported apart.
 */
final class KafkaLagBenchmark {
    record Result(
            int partitions,
            Stats pollMs,
            double firstPollMs,
            double lagRecords,
            double topicCreateSeconds) {}

    private KafkaLagBenchmark() {}

    /**
     * The test broker as a child JVM (its Scala 2.13 must not share this JVM with Spark's Scala
     * 2.12).
     */
    static KafkaBrokerProcess broker(Path dir) throws IOException {
        return KafkaBrokerProcess.in(dir)
                .jvmArgs("-Xmx1g")
                .readyTimeout(Duration.ofSeconds(90))
                .stopGrace(Duration.ofSeconds(30))
                .start();
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "120000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
        return Admin.create(p);
    }

    /**
     * Creates the topic and the group's offsets, then measures {@code polls} lag polls (after a
     * first, cold one).
     */
    static Result run(KafkaBrokerProcess broker, Path dir, int partitions, int polls, Log log)
            throws Exception {
        String topic = "lag-" + partitions;
        String group = "lag-group-" + partitions;
        double createSeconds;
        try (Admin admin = admin(broker.bootstrapServers())) {
            long t0 = System.nanoTime();
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(180, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++)
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            Await.result(
                    Duration.ofSeconds(180),
                    Duration.ofMillis(500),
                    "listOffsets on " + topic,
                    () -> {
                        try {
                            admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
                            return true;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            createSeconds = (System.nanoTime() - t0) / 1e9;
            // Three records per partition; the group has processed one of them everywhere: lag 2
            // per partition.
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                byte[] value = "{\"bench\":true}".getBytes();
                for (int r = 0; r < 3; r++) {
                    for (int p = 0; p < partitions; p++)
                        producer.send(new ProducerRecord<>(topic, p, null, value));
                }
                producer.flush();
            }
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            for (int p = 0; p < partitions; p++)
                committed.put(new TopicPartition(topic, p), new OffsetAndMetadata(1));
            admin.alterConsumerGroupOffsets(group, committed).all().get(120, TimeUnit.SECONDS);
        }
        log.info(
                "kafka %d partitions: topic ready in %.1f s, group %s committed",
                partitions, createSeconds, group);

        String token = "bench-kafka-" + System.nanoTime();
        String yaml =
                "kafka: { bootstrapServers: \""
                        + broker.bootstrapServers()
                        + "\", consumerGroups: ["
                        + group
                        + "], pollInterval: 2s, requestTimeout: 60s }\n";
        try (ServiceProcess service =
                ServiceProcess.in(dir.resolve("service-" + partitions))
                        .token(token)
                        .jvmArgs("-Xmx1g")
                        .requestTimeout(Duration.ofSeconds(60))
                        .yaml(yaml)
                        .start()) {
            List<Double> ms = new ArrayList<>();
            double first = Double.NaN;
            double lag = Double.NaN;
            double seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60L + polls * 15L);
            while (ms.size() < polls && System.nanoTime() < deadline) {
                String m = service.metrics();
                double ok =
                        ServiceProcess.sample(m, "streamwatch_kafka_polls_total", "result=\"ok\"");
                double err =
                        ServiceProcess.sample(
                                m, "streamwatch_kafka_polls_total", "result=\"error\"");
                if (err > 0)
                    throw new IllegalStateException(
                            "a lag poll failed; service log:\n" + service.log());
                if (!Double.isNaN(ok) && ok > seen) {
                    double sec = ServiceProcess.sample(m, "streamwatch_kafka_poll_seconds", null);
                    if (ok > seen + 1)
                        log.info(
                                "kafka %d partitions: missed %d poll(s) between reads",
                                partitions, (long) (ok - seen - 1));
                    if (seen == 0 && ok == 1) first = sec * 1000;
                    else ms.add(sec * 1000);
                    seen = ok;
                    lag =
                            ServiceProcess.sample(
                                    m,
                                    "kafka_consumer_group_lag_records",
                                    "group=\"" + group + "\"");
                }
                Await.sleep(200);
            }
            if (ms.isEmpty())
                throw new IllegalStateException(
                        "no lag poll completed; service log:\n" + service.log());
            Result r = new Result(partitions, Stats.of(ms), first, lag, createSeconds);
            log.info(
                    "kafka %d partitions: poll %.0f ms median (first %.0f ms), lag %s records",
                    partitions, r.pollMs().median(), first, lag);
            return r;
        }
    }

    static Map<String, Object> describe(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("partitions", r.partitions());
        m.put("poll_ms", Stats.round(r.pollMs().median()));
        m.put("poll_ms_spread", r.pollMs().spread("ms"));
        m.put("first_poll_ms", Stats.round(r.firstPollMs()));
        m.put("lag_records_reported", r.lagRecords());
        m.put("lag_records_expected", 2L * r.partitions());
        m.put("topic_create_seconds", Stats.round(r.topicCreateSeconds()));
        return m;
    }
}
