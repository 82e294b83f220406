package io.streamwatch.service.poll.kafka;

import static io.streamwatch.service.poll.kafka.KafkaTestSupport.until;
import static io.streamwatch.service.poll.kafka.KafkaTestSupport.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.QueryKafkaProgress;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.testkafka.EmbeddedKafka;
import io.streamwatch.testkit.Promtool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lag of Structured Streaming queries (which never commit offsets) against a real KRaft broker: the
 * end offsets of each query's newest micro-batch against the broker's, read back from the {@code
 * /metrics} scrape and from what the poller hands to state.
 */
class QueryKafkaLagTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int WINDOW = 5;

    @TempDir static Path dir;
    private static EmbeddedKafka kafka;
    private static Admin admin;
    private static AppRegistry registry;
    private static ServiceMetrics metrics;
    private static KafkaLagPoller poller;

    /** What state reports as each query's position: the test sets it. */
    private static final List<QueryKafkaProgress> positions = new CopyOnWriteArrayList<>();

    /** What the poller handed to state, newest per app and query. */
    private static final Map<String, Pushed> pushed = new ConcurrentHashMap<>();

    record Pushed(List<QuerySnapshot.TopicLag> lag, LagWindow.Sample sample, int window) {}

    @BeforeAll
    static void start() {
        KafkaTestSupport.quietBrokerLogs();
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        admin = KafkaTestSupport.admin(kafka.bootstrapServers());
        MutableClock clock = MutableClock.atSystemTime();
        registry = new AppRegistry(clock, 100, 100, Duration.ofSeconds(30), Duration.ofHours(1));
        metrics =
                new ServiceMetrics(
                        registry, new AppMetricsCollector(registry, clock, Duration.ofHours(1)));
        var config =
                new ServiceConfig.Kafka(
                        kafka.bootstrapServers(),
                        List.of(),
                        Duration.ofMillis(200),
                        new ServiceConfig.SecretProperties(Map.of()),
                        Duration.ofSeconds(5));
        poller =
                new KafkaLagPoller(
                                config,
                                WINDOW,
                                registry,
                                metrics,
                                Clock.systemUTC(),
                                () -> List.copyOf(positions),
                                (app, query, lag, sample, window) ->
                                        pushed.put(
                                                app + "/" + query,
                                                new Pushed(List.copyOf(lag), sample, window)))
                        .start();
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

    private static Double lag(String metric, String app, String query, String topic) {
        return value(scrape(), metric, "app", app, "query", query, "topic", topic);
    }

    private static void awaitLag(double expected, String app, String query, String topic) {
        until(
                WAIT,
                () ->
                        app
                                + "/"
                                + query
                                + "/"
                                + topic
                                + " lag == "
                                + expected
                                + "; scrape:\n"
                                + scrape(),
                () ->
                        Double.valueOf(expected)
                                .equals(
                                        lag(
                                                "spark_structured_streaming_kafka_lag_records",
                                                app,
                                                query,
                                                topic)));
    }

    /** The newest micro-batch of {@code query} had read {@code topic} up to these offsets. */
    private static void position(
            String app, String query, Map<String, Map<Integer, Long>> offsets) {
        positions.removeIf(p -> p.app().equals(app) && p.query().equals(query));
        long now = System.currentTimeMillis();
        positions.add(new QueryKafkaProgress(app, query, "run-" + query, offsets, now, now));
    }

    @Test
    void aQueryBehindTheBrokersEndOffsetsHasItsExactRecordLagPerTopic() throws Exception {
        KafkaTestSupport.createTopic(admin, "payments", 3);
        KafkaTestSupport.createTopic(admin, "refunds", 1);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "payments", 0, 10);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "payments", 1, 20);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "payments", 2, 30);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "refunds", 0, 5);

        // p0: 10 - 8, p1: 20 - 15, p2: 30 - 30; refunds caught up.
        position(
                "billing",
                "ledger",
                Map.of("payments", Map.of(0, 8L, 1, 15L, 2, 30L), "refunds", Map.of(0, 5L)));
        // Another query of the same app, on the same topic, far behind: measured on its own.
        position("billing", "audit", Map.of("payments", Map.of(0, 0L, 1, 0L, 2, 0L)));

        awaitLag(2 + 5 + 0, "billing", "ledger", "payments");
        awaitLag(0, "billing", "ledger", "refunds");
        awaitLag(60, "billing", "audit", "payments");
        until(
                WAIT,
                "caught-up seconds",
                () ->
                        Double.valueOf(0)
                                .equals(
                                        lag(
                                                "spark_structured_streaming_kafka_lag_seconds",
                                                "billing",
                                                "ledger",
                                                "refunds")));
        assertNull(
                lag("spark_structured_streaming_kafka_lag_records", "billing", "audit", "refunds"),
                "the audit query does not read refunds");

        Pushed p = pushed.get("billing/ledger");
        assertEquals(
                Map.of("payments", 7L, "refunds", 0L),
                p.lag().stream()
                        .collect(
                                java.util.stream.Collectors.toMap(
                                        QuerySnapshot.TopicLag::topic,
                                        QuerySnapshot.TopicLag::records)));
        assertEquals(7, p.sample().records(), "the window's sample sums the topics");
        assertEquals(WINDOW, p.window());
        Promtool.assertAccepts(scrape());

        // More records arrive; the query moves on past some of them.
        KafkaTestSupport.produce(kafka.bootstrapServers(), "payments", 2, 4);
        position(
                "billing",
                "ledger",
                Map.of("payments", Map.of(0, 10L, 1, 20L, 2, 31L), "refunds", Map.of(0, 5L)));
        awaitLag(3, "billing", "ledger", "payments");
        awaitLag(64, "billing", "audit", "payments");
        positions.clear();
    }

    @Test
    void aQueryWhoseTopicIsDeletedOrThatStateForgetsIsNoLongerRendered() throws Exception {
        KafkaTestSupport.createTopic(admin, "scratch", 1);
        KafkaTestSupport.createTopic(admin, "events", 1);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "scratch", 0, 6);
        KafkaTestSupport.produce(kafka.bootstrapServers(), "events", 0, 9);
        position("etl", "copy", Map.of("scratch", Map.of(0, 1L)));
        position("etl", "enrich", Map.of("events", Map.of(0, 4L)));
        awaitLag(5, "etl", "copy", "scratch");
        awaitLag(5, "etl", "enrich", "events");

        admin.deleteTopics(List.of("scratch")).all().get(30, TimeUnit.SECONDS);
        until(
                WAIT,
                () -> "the deleted topic's lag to disappear; scrape:\n" + scrape(),
                () ->
                        lag(
                                        "spark_structured_streaming_kafka_lag_records",
                                        "etl",
                                        "copy",
                                        "scratch")
                                == null);
        until(
                WAIT,
                "state told to forget the query's lag",
                () ->
                        pushed.get("etl/copy").lag().isEmpty()
                                && pushed.get("etl/copy").sample() == null);
        assertEquals(
                5.0,
                lag("spark_structured_streaming_kafka_lag_records", "etl", "enrich", "events"));

        // State forgets the query (app retention, or its new run reads no Kafka yet).
        positions.removeIf(p -> p.query().equals("enrich"));
        until(
                WAIT,
                () -> "the forgotten query's lag to disappear; scrape:\n" + scrape(),
                () ->
                        lag(
                                                "spark_structured_streaming_kafka_lag_records",
                                                "etl",
                                                "enrich",
                                                "events")
                                        == null
                                && lag(
                                                "spark_structured_streaming_kafka_lag_seconds",
                                                "etl",
                                                "enrich",
                                                "events")
                                        == null);
        until(
                WAIT,
                "state told to forget it",
                () ->
                        pushed.get("etl/enrich").lag().isEmpty()
                                && pushed.get("etl/enrich").sample() == null);
        positions.clear();
    }
}
