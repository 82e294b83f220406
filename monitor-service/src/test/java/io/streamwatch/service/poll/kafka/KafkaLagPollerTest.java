package io.streamwatch.service.poll.kafka;

import static io.streamwatch.service.poll.kafka.KafkaTestSupport.until;
import static io.streamwatch.service.poll.kafka.KafkaTestSupport.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.testkafka.EmbeddedKafka;
import io.streamwatch.testkit.Events;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poller against a real KRaft broker (one per class), real producers and a real consumer group,
 * read back the way users read it: from the {@code /metrics} scrape.
 */
class KafkaLagPollerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int WINDOW = 5;

    @TempDir static Path dir;
    private static EmbeddedKafka kafka;
    private static Admin admin;
    private static final AtomicLong seq = new AtomicLong();
    private static final MutableClock registryClock = MutableClock.atSystemTime();
    private static AppRegistry registry;
    private static ServiceMetrics metrics;
    private static KafkaLagPoller poller;

    @BeforeAll
    static void start() {
        KafkaTestSupport.quietBrokerLogs();
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        admin = KafkaTestSupport.admin(kafka.bootstrapServers());
        registry =
                new AppRegistry(
                        registryClock, 100, 100, Duration.ofSeconds(30), Duration.ofHours(1));
        metrics =
                new ServiceMetrics(
                        registry,
                        new AppMetricsCollector(registry, registryClock, Duration.ofHours(1)));
        var config =
                new ServiceConfig.Kafka(
                        kafka.bootstrapServers(),
                        List.of("orders-audit", "idle-readers", "steady-readers"),
                        Duration.ofMillis(200),
                        new ServiceConfig.SecretProperties(Map.of()),
                        Duration.ofSeconds(5));
        poller = new KafkaLagPoller(config, WINDOW, registry, metrics, Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        if (poller != null) poller.close();
        if (metrics != null) metrics.close();
        if (admin != null) admin.close();
        if (kafka != null) kafka.stop();
    }

    private static String scrape() {
        try {
            return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitValue(double expected, String name, String... labels) {
        until(
                WAIT,
                () -> name + " " + List.of(labels) + " == " + expected + "; scrape:\n" + scrape(),
                () -> Double.valueOf(expected).equals(value(scrape(), name, labels)));
    }

    @Test
    void groupLagIsEndMinusCommittedWithNeverCommittedPartitionsCountedFromTheLogStart()
            throws Exception {
        KafkaTestSupport.createTopic(admin, "orders", 3);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "orders", 0, 10);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "orders", 1, 20);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "orders", 2, 30);
        // Partition 2's log now starts at 5: its records 0-4 are gone (retention would do the
        // same).
        admin.deleteRecords(
                        Map.of(new TopicPartition("orders", 2), RecordsToDelete.beforeOffset(5)))
                .all()
                .get(10, TimeUnit.SECONDS);

        KafkaTestSupport.consumeAndCommit(
                kafka.bootstrapServers(), "orders-audit", "orders", Map.of(0, 4L, 1, 20L));

        // p0: 10 - 4, p1: 20 - 20, p2 never committed: 30 - 5 (from the log start, not from 0)
        awaitValue(
                6 + 0 + 25,
                "kafka_consumer_group_lag_records",
                "group",
                "orders-audit",
                "topic",
                "orders");

        KafkaTestSupport.produce(kafka.bootstrapServers(), "orders", 1, 7);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "orders", 2, 2);
        awaitValue(
                31 + 7 + 2,
                "kafka_consumer_group_lag_records",
                "group",
                "orders-audit",
                "topic",
                "orders");

        KafkaTestSupport.consumeAndCommit(
                kafka.bootstrapServers(), "orders-audit", "orders", Map.of(0, 10L, 1, 27L, 2, 32L));
        awaitValue(
                0, "kafka_consumer_group_lag_records", "group", "orders-audit", "topic", "orders");
        awaitValue(
                0, "kafka_consumer_group_lag_seconds", "group", "orders-audit", "topic", "orders");
    }

    @Test
    void sparkAppLagIsEndMinusProcessedOffsetsWithUnprocessedPartitionsCountedFromTheLogStart()
            throws Exception {
        KafkaTestSupport.createTopic(admin, "clicks", 3);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "clicks", 0, 10);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "clicks", 1, 20);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "clicks", 2, 30);

        // The app's newest completed batch processed p0 up to 8 and p1 up to 15; it has not reached
        // p2 yet.
        completedBatch("clickstream", "app-1", Map.of(0, 8L, 1, 15L));
        awaitValue(
                2 + 5 + 30,
                "spark_streaming_kafka_lag_records",
                "app",
                "clickstream",
                "topic",
                "clicks");
        assertNull(
                value(
                        scrape(),
                        "kafka_consumer_group_lag_records",
                        "group",
                        "clickstream",
                        "topic",
                        "clicks"),
                "the app never commits: there is no group lag to see, only the app's");

        completedBatch("clickstream", "app-1", Map.of(0, 10L, 1, 20L, 2, 30L));
        awaitValue(0, "spark_streaming_kafka_lag_records", "app", "clickstream", "topic", "clicks");
        awaitValue(0, "spark_streaming_kafka_lag_seconds", "app", "clickstream", "topic", "clicks");

        until(
                WAIT,
                "a full window of samples for the app",
                () ->
                        window("app", "clickstream") != null
                                && window("app", "clickstream").samples().size() == WINDOW);
        LagWindow w = window("app", "clickstream");
        for (int i = 1; i < w.samples().size(); i++) {
            assertTrue(
                    w.samples().get(i).at() >= w.samples().get(i - 1).at(),
                    "oldest first: " + w.samples());
        }
        assertEquals(0, w.samples().get(WINDOW - 1).records());
        assertEquals(0.0, w.samples().get(WINDOW - 1).seconds());

        // The app is forgotten (storage.appRetention): its series and its window go with it.
        registryClock.advance(Duration.ofHours(2));
        assertEquals(1, registry.sweep());
        until(
                WAIT,
                "the forgotten app's lag series to disappear",
                () ->
                        value(
                                                scrape(),
                                                "spark_streaming_kafka_lag_records",
                                                "app",
                                                "clickstream",
                                                "topic",
                                                "clicks")
                                        == null
                                && window("app", "clickstream") == null);
    }

    @Test
    void lagSecondsAreExactlyZeroWhenCaughtUpOnAnIdleTopic() throws Exception {
        KafkaTestSupport.createTopic(admin, "idle", 2);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "idle", 0, 3);
        KafkaTestSupport.consumeAndCommit(
                kafka.bootstrapServers(), "idle-readers", "idle", Map.of(0, 3L, 1, 0L));
        awaitValue(0, "kafka_consumer_group_lag_records", "group", "idle-readers", "topic", "idle");
        long okBefore = poller.status().pollsOk();
        until(WAIT, "five more polls", () -> poller.status().pollsOk() >= okBefore + 5);
        String s = scrape();
        assertEquals(
                0.0,
                value(
                        s,
                        "kafka_consumer_group_lag_seconds",
                        "group",
                        "idle-readers",
                        "topic",
                        "idle"));
        assertEquals(1.0, value(s, "streamwatch_kafka_up"));
        assertNotNull(value(s, "streamwatch_kafka_poll_seconds"));
        assertTrue(value(s, "streamwatch_kafka_polls_total", "result", "ok") >= 5);
    }

    @Test
    void lagSecondsFollowTheAgeOfTheOldestUnreadRecordUnderSteadyProduction() throws Exception {
        KafkaTestSupport.createTopic(admin, "steady", 1);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "steady", 0, 5);
        KafkaTestSupport.consumeAndCommit(
                kafka.bootstrapServers(), "steady-readers", "steady", Map.of(0, 5L));
        awaitValue(
                0,
                "kafka_consumer_group_lag_seconds",
                "group",
                "steady-readers",
                "topic",
                "steady");

        // The group stops reading; a producer goes on at 20 records a second.
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong firstUnreadSentAt = new AtomicLong(Long.MAX_VALUE);
        Thread producer =
                new Thread(
                        () -> {
                            try (KafkaProducer<String, String> p =
                                    KafkaTestSupport.producer(kafka.bootstrapServers())) {
                                while (producing.get()) {
                                    firstUnreadSentAt.compareAndSet(
                                            Long.MAX_VALUE, System.currentTimeMillis());
                                    p.send(new ProducerRecord<>("steady", 0, "k", "v"))
                                            .get(10, TimeUnit.SECONDS);
                                    Thread.sleep(50);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "steady-producer");
        producer.start();
        try {
            until(
                    WAIT,
                    "3 s of lag",
                    () -> {
                        var r = poller.status().report();
                        TopicLag lag =
                                r == null
                                        ? null
                                        : r.groups()
                                                .getOrDefault("steady-readers", Map.of())
                                                .get("steady");
                        return lag != null
                                && lag.seconds() != null
                                && r.at() - firstUnreadSentAt.get() >= 3000;
                    });
            var r = poller.status().report();
            TopicLag lag = r.groups().get("steady-readers").get("steady");
            double truth = (r.at() - firstUnreadSentAt.get()) / 1000.0;
            assertTrue(lag.records() > 20, "records behind: " + lag.records());
            assertTrue(
                    Math.abs(lag.seconds() - truth) <= 0.5,
                    "estimated "
                            + lag.seconds()
                            + " s behind, truly about "
                            + truth
                            + " s (poll interval 0.2 s)");
            Double scraped =
                    value(
                            scrape(),
                            "kafka_consumer_group_lag_seconds",
                            "group",
                            "steady-readers",
                            "topic",
                            "steady");
            assertNotNull(scraped);
            assertTrue(scraped >= lag.seconds(), "the scrape shows the same or a later poll");
        } finally {
            producing.set(false);
            producer.join(10_000);
        }
        until(
                WAIT,
                "a full window for the group",
                () ->
                        window("group", "steady-readers") != null
                                && window("group", "steady-readers").samples().size() == WINDOW);
    }

    private static LagWindow window(String label, String subject) {
        return poller.lagWindows().stream()
                .filter(w -> w.label().equals(label) && w.subject().equals(subject))
                .findFirst()
                .orElse(null);
    }

    /**
     * What the listener sends for a completed Kafka direct-stream batch: the offset ranges it
     * processed.
     */
    private static void completedBatch(String app, String appId, Map<Integer, Long> untilOffsets) {
        registryClock.advance(Duration.ofSeconds(1));
        long now = registryClock.millis();
        Events e = Events.from(app, appId).startingAt(seq.incrementAndGet());
        e.completed(now - 1000, 5, 100, 10, null);
        ArrayNode events = (ArrayNode) e.root().get("events");
        ObjectNode input =
                ((ArrayNode) events.get(events.size() - 1).get("batch").get("inputs")).addObject();
        input.put("streamId", 0);
        input.put("records", 10);
        input.putNull("description");
        ArrayNode offsets = input.putArray("offsets");
        untilOffsets.forEach(
                (p, until) -> {
                    ObjectNode o = offsets.addObject();
                    o.put("topic", "clicks");
                    o.put("partition", p);
                    o.put("fromOffset", 0);
                    o.put("untilOffset", until);
                });
        registry.apply(
                new EventParser(registryClock, 1000)
                        .parse(e.json().getBytes(StandardCharsets.UTF_8)));
    }
}
