package io.streamwatch.service.poll.kafka;

import static io.streamwatch.service.poll.kafka.KafkaTestSupport.until;
import static io.streamwatch.service.poll.kafka.KafkaTestSupport.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.streamwatch.service.StreamwatchService;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.testkafka.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The whole service on a loopback port while its Kafka broker goes away and comes back on the same
 * port: the service stays healthy, says once that Kafka is down, and recovers by itself.
 */
class KafkaOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir static Path dir;
    private static EmbeddedKafka kafka;
    private static StreamwatchService service;
    private static final Captured logs = new Captured();

    /** Log events of the poller and of the Kafka client, as "LEVEL logger message". */
    static final class Captured extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            lines.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
        }

        long count(String fragment) {
            return lines.stream().filter(l -> l.contains(fragment)).count();
        }

        long kafkaClientWarnings() {
            return lines.stream()
                    .filter(l -> l.matches("(WARN|ERROR) org\\.apache\\.kafka\\.clients\\..*"))
                    .count();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        KafkaTestSupport.quietBrokerLogs();
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        try (Admin admin = KafkaTestSupport.admin(kafka.bootstrapServers())) {
            KafkaTestSupport.createTopic(admin, "payments", 2);
        }
        KafkaTestSupport.produce(kafka.bootstrapServers(), "payments", 0, 12);
        KafkaTestSupport.consumeAndCommit(
                kafka.bootstrapServers(), "ledger", "payments", Map.of(0, 5L));

        logs.setContext(
                ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).getLoggerContext());
        logs.start();
        for (String name :
                List.of("io.streamwatch.service.poll.kafka", "org.apache.kafka.clients")) {
            ((Logger) LoggerFactory.getLogger(name)).addAppender(logs);
        }
        var config =
                ConfigLoader.load(
                                null,
                                Map.of(
                                        "STREAMWATCH_SERVER_HOST", "127.0.0.1",
                                        "STREAMWATCH_SERVER_PORT", "0",
                                        "STREAMWATCH_STORAGE_DIR", dir.resolve("data").toString(),
                                        "STREAMWATCH_INGEST_TOKENS", "t0ken",
                                        "STREAMWATCH_KAFKA_BOOTSTRAP_SERVERS",
                                                kafka.bootstrapServers(),
                                        "STREAMWATCH_KAFKA_CONSUMER_GROUPS", "ledger",
                                        "STREAMWATCH_KAFKA_POLL_INTERVAL", "200ms",
                                        "STREAMWATCH_KAFKA_REQUEST_TIMEOUT", "1s"))
                        .config();
        service = new StreamwatchService(config, Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
        if (kafka != null) kafka.stop();
        for (String name :
                List.of("io.streamwatch.service.poll.kafka", "org.apache.kafka.clients")) {
            ((Logger) LoggerFactory.getLogger(name)).detachAppender(logs);
        }
        logs.stop();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String metrics() {
        try {
            return get("/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitMetric(double expected, String name, String... labels) {
        until(
                WAIT,
                () -> name + List.of(labels) + " == " + expected + " in /metrics",
                () -> Double.valueOf(expected).equals(value(metrics(), name, labels)));
    }

    @Test
    void aBrokerThatGoesAwayIsReportedOnceAndPollingRecoversWhenItReturns() throws Exception {
        awaitMetric(1, "streamwatch_kafka_up");
        awaitMetric(
                7 + 0, "kafka_consumer_group_lag_records", "group", "ledger", "topic", "payments");

        kafka.stop();
        awaitMetric(0, "streamwatch_kafka_up");
        double errorsAtDown = value(metrics(), "streamwatch_kafka_polls_total", "result", "error");
        until(
                WAIT,
                "three more failed polls",
                () ->
                        value(metrics(), "streamwatch_kafka_polls_total", "result", "error")
                                >= errorsAtDown + 3);

        String down = metrics();
        assertNull(
                value(
                        down,
                        "kafka_consumer_group_lag_records",
                        "group",
                        "ledger",
                        "topic",
                        "payments"),
                "no stale lag while Kafka cannot be asked");
        assertEquals(
                200,
                get("/healthz").statusCode(),
                "Kafka being down is not the service being unhealthy");
        assertEquals(200, get("/readyz").statusCode());
        assertEquals(
                1,
                logs.count("is unreachable"),
                "one line for the outage, not one per poll: " + logs.lines);
        assertTrue(
                logs.kafkaClientWarnings() <= 1,
                "the Kafka client's reconnect warnings are kept out of the log: " + logs.lines);

        kafka.restart();
        awaitMetric(1, "streamwatch_kafka_up");
        awaitMetric(7, "kafka_consumer_group_lag_records", "group", "ledger", "topic", "payments");
        KafkaTestSupport.produce(kafka.bootstrapServers(), "payments", 1, 4);
        awaitMetric(
                7 + 4, "kafka_consumer_group_lag_records", "group", "ledger", "topic", "payments");
        assertEquals(1, logs.count("answers again"), logs.lines.toString());
        assertEquals(1, logs.count("is unreachable"), logs.lines.toString());
        assertTrue(
                ((Logger) LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient"))
                        .getEffectiveLevel()
                        .isGreaterOrEqual(Level.ERROR));
    }
}
