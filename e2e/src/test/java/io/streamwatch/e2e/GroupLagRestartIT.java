package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Finding 10 of issue 16 against the real jar: a consumer group's {@code KafkaLagGrowing} that is
 * firing when the service restarts stays firing. Before the lag history was stored, the restarted
 * service had no lag samples for the group: the alert resolved at start (its subject was gone) and
 * paged again once the window had refilled. A real KRaft broker, a group that committed once and
 * then stopped consuming while a producer keeps writing, so its lag grows every poll; the broker is
 * stalled (SIGSTOP) while the service comes back, so the alert engine runs before the first new lag
 * sample, as it does when a real cluster is slow to answer (with a broker on loopback that answers
 * at once, the first poll wins that race and the old code passed by luck).
 */
class GroupLagRestartIT {
    private static final String TOKEN = "group-lag-restart-" + System.nanoTime();
    private static final String READER = "group-lag-reader-" + System.nanoTime();
    private static final String TOPIC = "orders";
    private static final String GROUP = "billing";
    private static final String ALERT = "KafkaLagGrowing";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @Test
    void aFiringGroupLagAlertNeitherResolvesNorPagesAgainAcrossARestart() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-group-lag-restart");
        ScheduledExecutorService producing = Executors.newSingleThreadScheduledExecutor();
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.in(dir.resolve("kafka")).start();
                KafkaProducer<String, String> producer = producer(kafka);
                WebhookReceiver hook = WebhookReceiver.start()) {
            createTopic(kafka);
            for (int i = 0; i < 10; i++)
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "order " + i))
                        .get(30, TimeUnit.SECONDS);
            commitOnce(kafka);
            // The group consumes no more; production goes on, so its lag grows every poll.
            producing.scheduleAtFixedRate(
                    () -> producer.send(new ProducerRecord<>(TOPIC, 0, "k", "order")),
                    0,
                    100,
                    TimeUnit.MILLISECONDS);

            String yaml =
                    "kafka: { bootstrapServers: \""
                            + kafka.bootstrapServers()
                            + "\", consumerGroups: [ \""
                            + GROUP
                            + "\" ], pollInterval: 1s, requestTimeout: 2s }\n"
                            // A floor of several poll intervals: after the restart the
                            // seconds-behind
                            // estimate starts again as a small lower bound, which must not resolve.
                            + "alerting: { delayWindow: 3, kafkaLagFloor: 6s, receivers: [ { type: webhook, url: \""
                            + hook.url("/hook")
                            + "\" } ] }\n";
            Path serviceDir = dir.resolve("service");
            int port;
            try (ServiceProcess service =
                    ServiceProcess.in(serviceDir)
                            .token(TOKEN)
                            .readerToken(READER)
                            .yaml(yaml)
                            .start()) {
                port = service.port();
                Await.until(
                        Duration.ofSeconds(60),
                        () ->
                                "KafkaLagGrowing FIRING for group "
                                        + GROUP
                                        + "; got "
                                        + hook.alerts(),
                        () -> !notes(hook).isEmpty());
                assertTrue(firing(service), "the API lists the alert firing before the restart");
            } // SIGTERM: a clean stop

            List<WebhookReceiver.Alert> before = notes(hook);
            assertEquals(1, before.size(), "one page before the restart: " + before);
            String startsAt = startsAt(before.get(0));
            // The broker stalls while the service comes back, as a cluster that is slow to answer
            // the first poll: the alert engine looks at the group before any new lag sample.
            signal(kafka, "STOP");
            boolean stalled = true;
            try (ServiceProcess service =
                    ServiceProcess.in(serviceDir)
                            .token(TOKEN)
                            .readerToken(READER)
                            .port(port)
                            .yaml(yaml)
                            .start()) {
                // Past the window (3 polls) and then some: long enough for the old code to resolve
                // at start and page again once its window had refilled.
                Await.until(
                        Duration.ofSeconds(30),
                        "a lag poll to fail while the broker is stalled",
                        () -> polls(service, "error") >= 1);
                signal(kafka, "CONT");
                stalled = false;
                double polls0 = polls(service, "ok");
                Await.result(
                        Duration.ofSeconds(60),
                        Duration.ofMillis(200),
                        () -> "6 lag polls after the restart; got " + polls(service, "ok"),
                        () ->
                                polls(service, "ok") - polls0 >= 6 || changed(hook, before)
                                        ? true
                                        : null);
                List<WebhookReceiver.Alert> after = notes(hook);
                assertTrue(
                        after.stream().noneMatch(a -> a.status().equals("resolved")),
                        "no RESOLVED for the group's alert across the restart: " + after);
                assertTrue(
                        after.stream().allMatch(a -> startsAt(a).equals(startsAt)),
                        "no second page (a new firing) after the restart: " + after);
                assertTrue(firing(service), "the API still lists the alert firing");
                assertTrue(
                        polls(service, "ok") - polls0 >= 6,
                        "the service polled Kafka after the restart");
            } finally {
                if (stalled) signal(kafka, "CONT");
            }
        } finally {
            producing.shutdownNow();
        }
    }

    /** The webhook's notes about the group's lag alert, in order. */
    private static List<WebhookReceiver.Alert> notes(WebhookReceiver hook) {
        return hook.alerts().stream()
                .filter(a -> a.alertname().equals(ALERT) && a.label("group").equals(GROUP))
                .toList();
    }

    /**
     * A RESOLVED, or a firing that starts anew: a note other than a repeat of the page before the
     * restart.
     */
    private static boolean changed(WebhookReceiver hook, List<WebhookReceiver.Alert> before) {
        String startsAt = startsAt(before.get(0));
        return notes(hook).stream()
                .anyMatch(a -> a.status().equals("resolved") || !startsAt(a).equals(startsAt));
    }

    private static String startsAt(WebhookReceiver.Alert a) {
        return a.body().at("/alerts/0/startsAt").asText();
    }

    /** Whether GET /api/v1/alerts (reader token) lists the group's lag alert firing. */
    private static boolean firing(ServiceProcess service) {
        for (JsonNode a : service.json("/api/v1/alerts").get("alerts")) {
            String text = a.toString();
            if (text.contains("\"" + ALERT + "\"")
                    && text.contains("\"" + GROUP + "\"")
                    && a.path("state").asText().equals("firing")) return true;
        }
        return false;
    }

    /** streamwatch_kafka_polls_total{result}: ok or error. */
    private static double polls(ServiceProcess service, String result) {
        double v =
                ServiceProcess.sample(
                        service.metrics(),
                        "streamwatch_kafka_polls_total",
                        "result=\"" + result + "\"");
        return Double.isNaN(v) ? 0 : v;
    }

    /** kill -STOP or -CONT to the broker's JVM (this test started it). */
    private static void signal(KafkaBrokerProcess kafka, String signal) throws Exception {
        Process kill =
                new ProcessBuilder("kill", "-" + signal, String.valueOf(kafka.process().pid()))
                        .inheritIO()
                        .start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -" + signal);
        assertEquals(0, kill.exitValue(), "kill -" + signal);
    }

    private static void createTopic(KafkaBrokerProcess kafka) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> producer(KafkaBrokerProcess kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** The group reads the first record, commits past it, and never consumes again. */
    private static void commitOnce(KafkaBrokerProcess kafka) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(PARTITION));
            Await.until(
                    Duration.ofSeconds(30),
                    "the group to read a record",
                    () -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
            consumer.commitSync(Map.of(PARTITION, new OffsetAndMetadata(1)));
        }
    }
}
