package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.spark.SparkLine;
import io.streamwatch.testkit.spark.SparkLineDriverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Structured Streaming end to end on one Spark line, the same code for every line a subclass names:
 * a real driver in its own JVM (listener attached only by configuration), the service jar, a real
 * Kafka broker. One driver runs, at once: a named rate-source query ({@code rates}, 1 s
 * processing-time trigger) that is stopped and restarted from its checkpoint; a query whose
 * foreachBatch throws ({@code fails}); a Kafka-source query capped by maxOffsetsPerTrigger so it
 * stays behind ({@code orders}, 3 s trigger, so its lag holds still between batches); a query of a
 * second SparkSession ({@code other}); and a DStream app. Spark's own listeners in the driver are
 * the oracle.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StructuredStreamingEndToEnd {
    private static final String TOKEN = "ss-e2e-" + System.nanoTime();
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 2;
    private static final int PER_PARTITION = 150;
    private static final Duration SPARK = Duration.ofSeconds(120);

    private final String app = "structured " + line().id();
    private KafkaBrokerProcess kafka;
    private ServiceProcess service;
    private SparkLineDriverProcess driver;
    private long started;

    /** The Spark line under test. */
    abstract SparkLine line();

    @BeforeAll
    void runQueriesOnARealDriver() throws Exception {
        started = System.nanoTime();
        Path dir = Files.createTempDirectory("streamwatch-ss-" + line().id());
        kafka = KafkaBrokerProcess.in(dir.resolve("kafka")).start();
        produceOrders();
        service =
                ServiceProcess.start(
                        dir.resolve("service"),
                        TOKEN,
                        "kafka: { bootstrapServers: \""
                                + kafka.bootstrapServers()
                                + "\", pollInterval: 1s }\n");
        driver =
                SparkLineDriverProcess.on(line(), dir.resolve("driver"))
                        .app(app)
                        .service(service.url(), TOKEN)
                        .master("local[4]")
                        .start();
        assertEquals(line().sparkVersion(), driver.sparkVersion());

        driver.command("query rates triggerMs=1000 rows=2");
        driver.command("query fails triggerMs=1000 rows=1 failAt=1");
        driver.command(
                "query orders triggerMs=3000 kafka="
                        + kafka.bootstrapServers()
                        + " topic="
                        + TOPIC
                        + " maxOffsets=6");
        driver.command("query other triggerMs=1000 rows=1 session=2");
        driver.command("dstream start intervalMs=1000 perTick=2");
        driver.awaitUntil(
                SPARK,
                "3 micro-batches of rates, 2 of orders and other, fails ended, 2 DStream batches with records",
                e ->
                        driver.microBatches("rates").size() >= 3
                                && driver.microBatches("orders").size() >= 2
                                && driver.microBatches("other").size() >= 2
                                && terminated("fails") != null
                                && driver.dstreamBatches().stream()
                                                .filter(b -> b.path("records").asLong() > 0)
                                                .count()
                                        >= 2);
        driver.command("dstream stop");
        driver.command("stop other");
        driver.command("stop rates");
        String firstRun = driver.microBatches("rates").get(0).path("runId").asText();
        driver.command("query rates triggerMs=1000 rows=2"); // the same checkpoint: a restart
        driver.awaitUntil(
                SPARK,
                "2 micro-batches of the restarted rates",
                e ->
                        driver.microBatches("rates").stream()
                                        .filter(b -> !b.path("runId").asText().equals(firstRun))
                                        .count()
                                >= 2);
        driver.command("stop rates");
    }

    @AfterAll
    void stopAll() {
        if (driver != null) driver.close();
        if (service != null) service.close();
        if (kafka != null) kafka.close();
        System.out.printf(
                "%s (%s): %d ms%n",
                getClass().getSimpleName(), line(), (System.nanoTime() - started) / 1_000_000);
    }

    private JsonNode terminated(String name) {
        List<JsonNode> started =
                driver.events("started", e -> name.equals(e.path("name").asText()));
        if (started.isEmpty()) return null;
        String runId = started.get(started.size() - 1).path("runId").asText();
        List<JsonNode> ended =
                driver.events("terminated", e -> runId.equals(e.path("runId").asText()));
        return ended.isEmpty() ? null : ended.get(0);
    }

    private void produceOrders() throws Exception {
        KafkaTopics.create(kafka.bootstrapServers(), TOPIC, PARTITIONS);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < PER_PARTITION; i++)
                for (int part = 0; part < PARTITIONS; part++)
                    sent.add(producer.send(new ProducerRecord<>(TOPIC, part, "k" + i, "o" + i)));
            for (Future<?> f : sent) f.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyMicroBatchSparkReportedAppearsOnceWithSparksOwnNumbersAndMetricsAgree() {
        List<JsonNode> truth = SparkTruth.assertMicroBatchesExactly(service, app, "rates", driver);
        long rows = truth.stream().mapToLong(b -> b.path("numInputRows").asLong()).sum();
        JsonNode last = truth.get(truth.size() - 1);
        Await.until(
                Duration.ofSeconds(15),
                () -> "/metrics to agree with Spark's " + truth.size() + " micro-batches of rates",
                () -> {
                    String m = service.metrics();
                    return Double.valueOf(truth.size())
                                    .equals(
                                            SparkTruth.sample(
                                                    m,
                                                    "spark_structured_streaming_batches_completed_total",
                                                    "app",
                                                    app,
                                                    "query",
                                                    "rates"))
                            && Double.valueOf(rows)
                                    .equals(
                                            SparkTruth.sample(
                                                    m,
                                                    "spark_structured_streaming_input_rows_total",
                                                    "app",
                                                    app,
                                                    "query",
                                                    "rates"));
                });
        String m = service.metrics();
        assertEquals(
                last.path("triggerExecution").asLong() / 1000.0,
                SparkTruth.sample(
                        m,
                        "spark_structured_streaming_last_batch_duration_seconds",
                        "app",
                        app,
                        "query",
                        "rates"),
                1e-9);
        JsonNode q = SparkTruth.query(service, app, "rates");
        assertNotNull(q, "rates in /queries");
        assertEquals(1000, q.path("triggerIntervalMs").asLong(), "the processing-time trigger");
        assertEquals(truth.size(), q.path("batchesCompleted").asLong());
        assertEquals(rows, q.path("inputRows").asLong());
    }

    @Test
    void aRestartFromTheCheckpointContinuesTheSeriesAndCountsOneRestart() {
        List<JsonNode> truth = SparkTruth.assertMicroBatchesExactly(service, app, "rates", driver);
        String firstRun = truth.get(0).path("runId").asText();
        long lastOfFirstRun = -1;
        long firstOfSecondRun = -1;
        String secondRun = null;
        for (JsonNode b : truth) {
            if (b.path("runId").asText().equals(firstRun)) {
                lastOfFirstRun = b.path("batchId").asLong();
            } else if (secondRun == null) {
                secondRun = b.path("runId").asText();
                firstOfSecondRun = b.path("batchId").asLong();
            }
        }
        assertNotNull(secondRun, "Spark ran the query a second time");
        // +1 normally; a batch the stop cut short (no progress) is run again under the same id.
        assertTrue(
                firstOfSecondRun > lastOfFirstRun && firstOfSecondRun <= lastOfFirstRun + 2,
                "Spark continued from its checkpoint: "
                        + lastOfFirstRun
                        + " then "
                        + firstOfSecondRun);
        JsonNode q = SparkTruth.query(service, app, "rates");
        assertEquals(1, q.path("restarts").asLong(), "restarts of rates: " + q);
        assertEquals(secondRun, q.path("runId").asText(), "the current run");
        assertEquals(truth.get(0).path("queryId").asText(), q.path("queryId").asText());
        assertEquals("stopped", q.path("state").asText());
        assertEquals(
                1.0,
                SparkTruth.sample(
                        service.metrics(),
                        "spark_structured_streaming_query_restarts_total",
                        "app",
                        app,
                        "query",
                        "rates"));
    }

    @Test
    void aQueryWhoseForeachBatchThrowsIsFailedWithItsException() {
        JsonNode ended = terminated("fails");
        String sparkSays = ended.path("exception").asText();
        assertTrue(sparkSays.contains("planned failure in batch 1"), sparkSays);
        JsonNode q =
                Await.result(
                        Duration.ofSeconds(15),
                        "fails to be failed in /queries",
                        () -> {
                            JsonNode f = SparkTruth.query(service, app, "fails");
                            return f != null && "failed".equals(f.path("state").asText())
                                    ? f
                                    : null;
                        });
        String shown = q.path("exception").asText();
        assertEquals(
                sparkSays.lines().findFirst().orElseThrow(),
                shown.lines().findFirst().orElse(""),
                "the exception's first line");
        assertTrue(
                sparkSays.startsWith(shown.substring(0, Math.min(shown.length(), 1024))),
                "the service shows Spark's text (cut at most): " + shown);
        assertEquals(1, q.path("failures").asLong());
        assertEquals(false, q.path("up").asBoolean());
    }

    @Test
    void aKafkaQueryThatStaysBehindShowsItsExactLag() {
        long produced = (long) PARTITIONS * PER_PARTITION;
        long[] expected = new long[1];
        Await.until(
                Duration.ofSeconds(30),
                () ->
                        "orders' lag in /queries and /metrics to be "
                                + produced
                                + " - Spark's end offsets = "
                                + expected[0]
                                + "; the service shows "
                                + SparkTruth.query(service, app, "orders"),
                () -> {
                    List<JsonNode> batches = driver.microBatches("orders");
                    expected[0] = produced - endOffsets(batches.get(batches.size() - 1));
                    JsonNode q = SparkTruth.query(service, app, "orders");
                    Double metric =
                            SparkTruth.sample(
                                    service.metrics(),
                                    "spark_structured_streaming_kafka_lag_records",
                                    "app",
                                    app,
                                    "query",
                                    "orders",
                                    "topic",
                                    TOPIC);
                    if (q == null || metric == null || metric != expected[0]) return false;
                    for (JsonNode lag : q.path("kafkaLag")) {
                        if (TOPIC.equals(lag.path("topic").asText())
                                && lag.path("records").asLong() == expected[0]) return true;
                    }
                    return false;
                });
        assertTrue(expected[0] > 0, "the query stayed behind: " + expected[0]);
    }

    /** The sum of a Kafka source's end offsets, {@code {"orders":{"0":8,"1":8}}}. */
    private static long endOffsets(JsonNode progress) {
        JsonNode source = progress.path("sources").get(0);
        JsonNode offsets = io.streamwatch.testkit.Http.json(source.path("endOffset").asText());
        long sum = 0;
        for (Iterator<JsonNode> it = offsets.path(TOPIC).elements(); it.hasNext(); )
            sum += it.next().asLong();
        return sum;
    }

    @Test
    void aSecondSparkSessionsQueryIsSeenToo() {
        List<JsonNode> truth = SparkTruth.assertMicroBatchesExactly(service, app, "other", driver);
        assertTrue(driver.events("started", e -> e.path("session").asInt() == 2).size() >= 1);
        assertNotEquals(
                truth.get(0).path("queryId").asText(),
                driver.microBatches("rates").get(0).path("queryId").asText());
    }

    @Test
    void theDStreamAppShipsItsBatchesExactly() {
        SparkTruth.assertDStreamBatchesExactly(service, app, driver);
    }
}
