package io.streamwatch.service.poll.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.state.AppRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The poller's failure handling with a hand-written cluster (no broker): a client that cannot be
 * created, a cluster that stops answering, secrets in client errors. Polls are driven by hand.
 */
class KafkaLagPollerFailureTest {
    private static final String SECRET = "s3cret-pass-123";
    private static final ServiceConfig.Kafka CONFIG =
            new ServiceConfig.Kafka(
                    "broker-1:9093",
                    List.of("g"),
                    Duration.ofSeconds(15),
                    new ServiceConfig.SecretProperties(
                            Map.of(
                                    "security.protocol",
                                    "SASL_SSL",
                                    "sasl.jaas.config",
                                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sw\" password=\""
                                            + SECRET
                                            + "\";",
                                    "bootstrap.servers",
                                    "ignored:1")),
                    Duration.ofSeconds(3));

    private final MutableClock clock = MutableClock.atSystemTime();
    private final AppRegistry registry =
            new AppRegistry(clock, 100, 100, Duration.ofSeconds(30), Duration.ofHours(1));
    private final ServiceMetrics metrics =
            new ServiceMetrics(
                    registry, new AppMetricsCollector(registry, clock, Duration.ofHours(1)));
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender =
            new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent e) {
                    logs.add(e.getLevel() + " " + e.getFormattedMessage());
                }
            };
    private final Logger logger =
            (Logger) LoggerFactory.getLogger("io.streamwatch.service.poll.kafka");

    /** A cluster with topic t (partitions 0 and 1) and group g committed on partition 0 only. */
    static final class FakeCluster implements KafkaOffsets {
        final AtomicBoolean answering = new AtomicBoolean(true);

        @Override
        public void ping() throws Unreachable {
            if (!answering.get())
                throw new Unreachable(
                        "describeCluster: TimeoutException: Timed out waiting for a node assignment",
                        null);
        }

        @Override
        public Answer<Map<String, Map<Integer, Long>>> committed(Collection<String> groups) {
            return new Answer<>(Map.of("g", Map.of("t", Map.of(0, 5L))), Map.of());
        }

        @Override
        public Answer<List<Integer>> partitions(Collection<String> topics) {
            return new Answer<>(Map.of("t", List.of(0, 1)), Map.of());
        }

        @Override
        public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
            return Map.of(new TopicPartition("t", 0), 10L, new TopicPartition("t", 1), 4L);
        }

        @Override
        public Map<TopicPartition, Long> startOffsets(Collection<TopicPartition> partitions) {
            assertEquals(
                    List.of(new TopicPartition("t", 1)),
                    List.copyOf(partitions),
                    "start offsets only where needed");
            return Map.of(new TopicPartition("t", 1), 1L);
        }

        @Override
        public void close() {}
    }

    @BeforeEach
    void capture() {
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
        metrics.close();
    }

    private String scrape() throws Exception {
        return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
    }

    private long count(String fragment) {
        return logs.stream().filter(l -> l.contains(fragment)).count();
    }

    @Test
    void aClientThatCannotBeCreatedIsRetriedEveryPollLoggedOnceAndNeverLeaksSecrets()
            throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        FakeCluster cluster = new FakeCluster();
        KafkaLagPoller poller =
                new KafkaLagPoller(
                        CONFIG,
                        3,
                        registry,
                        metrics,
                        clock,
                        List::of,
                        QueryLagSink.NONE,
                        () -> {
                            if (attempts.incrementAndGet() <= 3) {
                                throw new KafkaException(
                                        "Failed to create new KafkaAdminClient: invalid JAAS config '"
                                                + CONFIG.properties()
                                                        .values()
                                                        .get("sasl.jaas.config")
                                                + "'");
                            }
                            return cluster;
                        });
        for (int i = 0; i < 3; i++) poller.pollOnce();
        assertFalse(poller.status().up());
        assertEquals(3, poller.status().pollsFailed());
        assertEquals(0.0, KafkaTestSupport.value(scrape(), "streamwatch_kafka_up"));
        assertEquals(
                3.0,
                KafkaTestSupport.value(
                        scrape(), "streamwatch_kafka_polls_total", "result", "error"));
        assertEquals(1, count("cannot be polled"), logs.toString());
        assertTrue(
                logs.stream().noneMatch(l -> l.contains(SECRET)), "no secret in the log: " + logs);
        assertEquals(1, count("[hidden]"), logs.toString());

        poller.pollOnce();
        assertTrue(poller.status().up());
        assertEquals(4, attempts.get());
        String s = scrape();
        assertEquals(1.0, KafkaTestSupport.value(s, "streamwatch_kafka_up"));
        assertEquals(
                (10 - 5) + (4 - 1),
                KafkaTestSupport.value(
                        s, "kafka_consumer_group_lag_records", "group", "g", "topic", "t"));
        assertEquals(1, count("answers again"));
    }

    @Test
    void aClusterThatStopsAnsweringHidesLagOnceLoggedAndComesBackOnItsOwn() throws Exception {
        FakeCluster cluster = new FakeCluster();
        KafkaLagPoller poller =
                new KafkaLagPoller(
                        CONFIG,
                        3,
                        registry,
                        metrics,
                        clock,
                        List::of,
                        QueryLagSink.NONE,
                        () -> cluster);
        poller.pollOnce();
        assertEquals(
                8.0,
                KafkaTestSupport.value(
                        scrape(), "kafka_consumer_group_lag_records", "group", "g", "topic", "t"));
        assertEquals(1, poller.lagWindows().size());

        cluster.answering.set(false);
        for (int i = 0; i < 5; i++) poller.pollOnce();
        String s = scrape();
        assertEquals(0.0, KafkaTestSupport.value(s, "streamwatch_kafka_up"));
        assertNull(
                KafkaTestSupport.value(
                        s, "kafka_consumer_group_lag_records", "group", "g", "topic", "t"));
        assertEquals(1, count("is unreachable"));
        assertEquals(
                1,
                poller.lagWindows().get(0).samples().size(),
                "no samples while down; the window is kept");

        cluster.answering.set(true);
        poller.pollOnce();
        assertEquals(
                8.0,
                KafkaTestSupport.value(
                        scrape(), "kafka_consumer_group_lag_records", "group", "g", "topic", "t"));
        assertEquals(2, poller.lagWindows().get(0).samples().size());
        assertEquals(1, count("answers again"));
    }

    @Test
    void clientPropertiesPassThroughWithTimeoutsFromTheConfigAndTheConfiguredBootstrapServers() {
        Properties p = AdminKafkaOffsets.clientProperties(CONFIG);
        assertEquals("broker-1:9093", p.get("bootstrap.servers"));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("3000", p.get("request.timeout.ms"));
        assertEquals("3000", p.get("default.api.timeout.ms"));
        var override =
                new ServiceConfig.Kafka(
                        "b:1",
                        List.of(),
                        Duration.ofSeconds(15),
                        new ServiceConfig.SecretProperties(Map.of("request.timeout.ms", "500")),
                        Duration.ofSeconds(3));
        assertEquals("500", AdminKafkaOffsets.clientProperties(override).get("request.timeout.ms"));
        assertFalse(CONFIG.toString().contains(SECRET));
    }
}
