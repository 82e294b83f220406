package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.spark.SparkFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.kafka010.ConsumerStrategies;
import org.apache.spark.streaming.kafka010.HasOffsetRanges;
import org.apache.spark.streaming.kafka010.KafkaUtils;
import org.apache.spark.streaming.kafka010.LocationStrategies;
import org.apache.spark.streaming.kafka010.OffsetRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka lag of a Spark app that never commits offsets, for real: a KRaft broker in its own JVM, a
 * local Spark app reading it through a Kafka direct stream (throttled so it stays behind) with the
 * listener attached only by spark.extraListeners, and the service jar polling the broker. The
 * oracle is Spark itself: the offset ranges of each batch, seen in the batch's own output
 * operation, and the log end offsets read with our own Admin client.
 */
class KafkaLagIT {
    private static final String APP = "kafka lag app";
    private static final String TOPIC = "page-views";
    private static final String GROUP = "kafka-lag-it";
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 150;
    private static final int MAX_RATE =
            15; // records per partition per second: ~10 batches to catch up
    private static final String TOKEN = "kafka-e2e-" + System.nanoTime();

    /** untilOffsets of every completed batch, by batch time. */
    private static final ConcurrentSkipListMap<Long, Map<TopicPartition, Long>> completed =
            new ConcurrentSkipListMap<>();

    /**
     * While set, the next batch waits inside its output operation: completed batches stop moving.
     */
    private static final AtomicBoolean hold = new AtomicBoolean();

    private static final AtomicBoolean holding = new AtomicBoolean();

    private static KafkaBrokerProcess kafka;
    private static ServiceProcess service;
    private static Admin admin;
    private static JavaStreamingContext ssc;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-kafka-e2e");
        kafka = KafkaBrokerProcess.in(dir.resolve("kafka")).start();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(p);
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
        Await.result(
                Duration.ofSeconds(30),
                "the topic's partitions to have leaders",
                () -> {
                    try {
                        return endOffsets();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        service =
                ServiceProcess.start(
                        dir.resolve("service"),
                        TOKEN,
                        "kafka: { bootstrapServers: \""
                                + kafka.bootstrapServers()
                                + "\", pollInterval: 1s }\n");
    }

    @AfterAll
    static void stop() {
        hold.set(false);
        if (ssc != null) ssc.stop(true, false);
        if (admin != null) admin.close();
        if (service != null) service.close();
        if (kafka != null) kafka.close();
    }

    static Map<TopicPartition, Long> endOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (int i = 0; i < PARTITIONS; i++)
            req.put(new TopicPartition(TOPIC, i), OffsetSpec.latest());
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(req)
                .all()
                .get(10, TimeUnit.SECONDS)
                .forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    static void produce() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < PER_PARTITION; i++) {
                for (int part = 0; part < PARTITIONS; part++)
                    sent.add(
                            producer.send(new ProducerRecord<>(TOPIC, part, "k" + i, "view " + i)));
            }
            for (Future<?> f : sent) f.get(30, TimeUnit.SECONDS);
        }
    }

    private static final Pattern SERIES =
            Pattern.compile(
                    "(?m)^([a-z_]+)\\{app=\""
                            + Pattern.quote(APP)
                            + "\",topic=\""
                            + TOPIC
                            + "\"} (\\S+)$");

    /** The app's lag series on /metrics, by metric name. */
    static Map<String, Double> appLag() {
        Map<String, Double> out = new HashMap<>();
        Matcher m = SERIES.matcher(service.metrics());
        while (m.find()) out.put(m.group(1), Double.parseDouble(m.group(2)));
        return out;
    }

    @Test
    void appLagIsLogEndMinusTheOffsetsSparksLastCompletedBatchProcessed() throws Exception {
        produce();
        SparkConf conf =
                StreamingDriver.conf(APP, service.url(), TOKEN)
                        .set("spark.streaming.kafka.maxRatePerPartition", String.valueOf(MAX_RATE))
                        .set("spark.streaming.backpressure.enabled", "false");
        ssc = new JavaStreamingContext(conf, Durations.seconds(1));
        Map<String, Object> kafkaParams =
                SparkFixtures.kafkaParams(kafka.bootstrapServers(), GROUP);
        JavaInputDStream<ConsumerRecord<String, String>> stream =
                KafkaUtils.createDirectStream(
                        ssc,
                        LocationStrategies.PreferConsistent(),
                        ConsumerStrategies.<String, String>Subscribe(List.of(TOPIC), kafkaParams));
        // Never commits: no commitAsync, auto commit off. The oracle records what each batch
        // processed.
        stream.foreachRDD(
                (rdd, time) -> {
                    OffsetRange[] ranges = ((HasOffsetRanges) rdd.rdd()).offsetRanges();
                    while (hold.get()) {
                        holding.set(true);
                        Thread.sleep(20);
                    }
                    rdd.count();
                    Map<TopicPartition, Long> until = new HashMap<>();
                    for (OffsetRange r : ranges) until.put(r.topicPartition(), r.untilOffset());
                    completed.put(time.milliseconds(), until);
                });
        ssc.start();

        Await.until(
                Duration.ofSeconds(60),
                "3 completed batches that read records",
                () ->
                        completed.values().stream()
                                        .filter(u -> u.values().stream().anyMatch(o -> o > 0))
                                        .count()
                                >= 3);
        hold.set(true);
        Await.until(
                Duration.ofSeconds(30),
                "a batch to wait in its output operation",
                () -> holding.get());

        // Quiescent: nothing is produced, and no batch completes while one is held.
        Map<TopicPartition, Long> lastCompleted = completed.lastEntry().getValue();
        Map<TopicPartition, Long> end = endOffsets();
        long expected = 0;
        for (var e : end.entrySet())
            expected += e.getValue() - lastCompleted.getOrDefault(e.getKey(), 0L);
        assertTrue(
                expected > 0,
                "the throttled app must still be behind: end "
                        + end
                        + ", processed "
                        + lastCompleted);
        assertEquals(
                PARTITIONS * PER_PARTITION, end.values().stream().mapToLong(Long::longValue).sum());

        long want = expected;
        Map<String, Double> lag =
                Await.result(
                        Duration.ofSeconds(30),
                        "spark_streaming_kafka_lag_records{app=\""
                                + APP
                                + "\",topic=\""
                                + TOPIC
                                + "\"} == "
                                + want
                                + " (end "
                                + end
                                + " minus processed "
                                + lastCompleted
                                + ")",
                        () -> {
                            Map<String, Double> l = appLag();
                            Double records = l.get("spark_streaming_kafka_lag_records");
                            return records != null
                                            && records == want
                                            && l.containsKey("spark_streaming_kafka_lag_seconds")
                                    ? l
                                    : null;
                        });
        double seconds = lag.get("spark_streaming_kafka_lag_seconds");
        assertTrue(seconds > 0 && seconds < 120, "lag in seconds is positive and sane: " + seconds);
        assertEquals(
                Map.of(),
                admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS),
                "the app never committed: a committed-offset exporter would see no lag at all");

        hold.set(false);
        // Unthrottled by the hold, the app catches up and the lag goes to exactly 0.
        Await.result(
                Duration.ofSeconds(60),
                "the app's lag to reach 0",
                () -> {
                    Map<String, Double> l = appLag();
                    return Double.valueOf(0).equals(l.get("spark_streaming_kafka_lag_records"))
                                    && Double.valueOf(0)
                                            .equals(l.get("spark_streaming_kafka_lag_seconds"))
                            ? true
                            : null;
                });
    }
}
