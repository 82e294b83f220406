package io.streamwatch.service.poll.kafka;

import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.streamwatch.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

/** Real Kafka clients against the test broker, and waiting on conditions (never fixed sleeps). */
final class KafkaTestSupport {
    private KafkaTestSupport() {}

    /** The in-process broker logs every step at INFO; the tests' output should show the tests. */
    static void quietBrokerLogs() {
        for (String name :
                List.of(
                        "kafka",
                        "org.apache.kafka",
                        "state.change.logger",
                        "org.apache.zookeeper")) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
        }
        ((Logger) LoggerFactory.getLogger("org.apache.kafka.controller")).setLevel(Level.ERROR);
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** Creates the topic and waits until its partitions have leaders (listOffsets answers). */
    static void createTopic(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (int p = 0; p < partitions; p++)
            req.put(new TopicPartition(topic, p), OffsetSpec.latest());
        until(
                Duration.ofSeconds(30),
                "partitions of " + topic + " to have leaders",
                () -> {
                    try {
                        admin.listOffsets(req).all().get(5, TimeUnit.SECONDS);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Produces {@code n} records to one partition and waits until all are acknowledged. */
    static void produce(String bootstrap, String topic, int partition, int n) throws Exception {
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++)
                sent.add(producer.send(new ProducerRecord<>(topic, partition, "k" + i, "v" + i)));
            for (var f : sent) f.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A real consumer in group {@code group} reads each listed partition from the beginning up to
     * the given offset, then commits exactly those offsets (what it has processed). Other
     * partitions are never touched by the group.
     */
    static void consumeAndCommit(
            String bootstrap, String group, String topic, Map<Integer, Long> upTo) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts =
                    upTo.keySet().stream().map(i -> new TopicPartition(topic, i)).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (TopicPartition tp : parts) {
                long target = upTo.get(tp.partition());
                if (consumer.position(tp) >= target) consumer.pause(List.of(tp));
            }
            while (consumer.paused().size() < parts.size()) {
                if (System.nanoTime() > deadline)
                    fail("could not consume " + upTo + " of " + topic + " within 30 s");
                consumer.poll(Duration.ofMillis(100))
                        .forEach(
                                r -> {
                                    if (r.offset() + 1 >= upTo.get(r.partition()))
                                        consumer.pause(
                                                List.of(
                                                        new TopicPartition(
                                                                r.topic(), r.partition())));
                                });
            }
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            for (TopicPartition tp : parts)
                commit.put(tp, new OffsetAndMetadata(upTo.get(tp.partition())));
            consumer.commitSync(commit);
        }
    }

    static void until(Duration timeout, String what, BooleanSupplier condition) {
        Await.until(timeout, what, condition);
    }

    static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        Await.until(timeout, what, condition);
    }

    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * The value of one series in a Prometheus text scrape, or null if the scrape does not have it.
     */
    static Double value(String scrape, String name, String... labelPairs) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) want.put(labelPairs[i], labelPairs[i + 1]);
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches() || !m.group(1).equals(name)) continue;
            Map<String, String> labels = new HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            if (labels.equals(want)) return Double.parseDouble(m.group(4));
        }
        return null;
    }
}
