package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Http;
import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.WebhookReceiver;
import io.streamwatch.testkit.WebhookReceiver.Alert;
import io.streamwatch.testkit.spark.SparkLine;
import io.streamwatch.testkit.spark.SparkLineDriverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The query alerts paged for real: one Spark 3.5 driver (listener attached by configuration) runs
 * four Structured Streaming queries at once against the service jar, a real Kafka broker and a
 * loopback webhook; Spark's own listeners in the driver say what really happened.
 *
 * <ul>
 *   <li>{@code slow}: a 1 s trigger whose foreachBatch sleeps 1.5 s, restarted from its checkpoint
 *       while still slow, then sped up;
 *   <li>{@code orders}: a Kafka source capped by maxOffsetsPerTrigger below the rate a producer
 *       thread writes at, so its backlog grows with every micro-batch;
 *   <li>{@code boom}: a foreachBatch that throws, then a new run from the same checkpoint that does
 *       not;
 *   <li>{@code steady}: a 5 s trigger with micro-batches far under it, which must never page.
 * </ul>
 *
 * <p>Only {@code slow} has a trigger under the first micro-batches of a query on this kind of
 * machine (~6 s, then 1-3 s while the others start): the others' triggers (3 s, 5 s) let one
 * warm-up batch run over them, never the {@code slowBatches} in a row that would page (and the
 * steady test checks that premise from Spark's own numbers).
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryAlertsIT {
    private static final String TOKEN = "query-alerts-" + System.nanoTime();
    private static final String SLOW = "StreamingBatchTooSlow";
    private static final String DELAY = "StreamingDelayGrowing";
    private static final String FAILED = "StreamingQueryFailed";
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 2;
    private static final int MAX_OFFSETS = 10; // per 3 s trigger: 3.3 records/s at most
    private static final int PRODUCED_PER_TICK = 5; // every 100 ms: 50 records/s
    private static final long STEADY_TRIGGER_MS = 5000;
    private static final int SLOW_BATCHES = 3;
    private static final Duration SPARK = Duration.ofSeconds(90);

    private final String app = "query alerts";
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong produced = new AtomicLong();
    private final AtomicReference<Exception> producerFailure = new AtomicReference<>();
    private WebhookReceiver hook;
    private KafkaBrokerProcess kafka;
    private ServiceProcess service;
    private SparkLineDriverProcess driver;
    private ScheduledExecutorService producer;
    private KafkaProducer<String, String> kafkaProducer;
    private long started;

    @BeforeAll
    void runFourQueriesOnOneDriver() throws Exception {
        started = System.nanoTime();
        Path dir = Files.createTempDirectory("streamwatch-query-alerts");
        hook = WebhookReceiver.start();
        kafka = KafkaBrokerProcess.in(dir.resolve("kafka")).start();
        service =
                ServiceProcess.start(
                        dir.resolve("service"),
                        TOKEN,
                        "alerting: { slowBatches: "
                                + SLOW_BATCHES
                                + ", delayWindow: 5, appDownAfter: 10s, startupGrace: 1s,"
                                + " resendInterval: 10m, receivers: [ { type: webhook, url: \""
                                + hook.url()
                                + "\" } ] }\n");
        KafkaTopics.create(kafka.bootstrapServers(), TOPIC, PARTITIONS);
        startProducer();
        driver =
                SparkLineDriverProcess.on(SparkLine.SPARK_3_5_SCALA_2_12, dir.resolve("driver"))
                        .app(app)
                        .service(service.url(), TOKEN)
                        .master("local[4]")
                        .start();
        driver.command("query slow triggerMs=1000 rows=2 sleepMs=1500");
        driver.command(
                "query orders triggerMs=3000 kafka="
                        + kafka.bootstrapServers()
                        + " topic="
                        + TOPIC
                        + " maxOffsets="
                        + MAX_OFFSETS);
        driver.command("query boom triggerMs=1000 rows=1 failAt=1");
        driver.command("query steady triggerMs=" + STEADY_TRIGGER_MS + " rows=1");
    }

    @AfterAll
    void stopAll() {
        if (producer != null) producer.shutdownNow();
        if (kafkaProducer != null) kafkaProducer.close(Duration.ofSeconds(5));
        if (driver != null) driver.close();
        if (service != null) service.close();
        if (kafka != null) kafka.close();
        if (hook != null) hook.close();
        System.out.printf(
                "QueryAlertsIT: %d ms; notifications: %s%n",
                (System.nanoTime() - started) / 1_000_000, hook == null ? "-" : hook.alerts());
    }

    @Test
    @Order(1)
    void aQuerySlowerThanItsTriggerPagesKeepsItsLabelsAcrossARestartAndResolvesWhenFastAgain() {
        Alert firing = awaitNotification(SLOW, "slow", "firing", 0);
        assertEquals(
                Map.of("alertname", SLOW, "app", app, "query", "slow", "severity", "warning"),
                firing.labels());
        List<JsonNode> slowBatches = driver.microBatches("slow");
        assertTrue(
                slowBatches.size() >= SLOW_BATCHES
                        && slowBatches.stream()
                                .allMatch(b -> b.path("triggerExecution").asLong() > 1000),
                "Spark itself reports triggerExecution over the 1 s trigger: " + slowBatches);

        // A restart from the checkpoint (new run id), still slow: paged under the same labels.
        String firstRun = slowBatches.get(0).path("runId").asText();
        driver.command("stop slow");
        driver.command("query slow triggerMs=1000 rows=2");
        driver.awaitUntil(
                SPARK,
                SLOW_BATCHES + " slow micro-batches of the restarted slow",
                e -> laterRunBatches("slow", firstRun, true).size() >= SLOW_BATCHES);
        Await.until(
                Duration.ofSeconds(15),
                () -> "the restarted, still slow query to be paged; got " + hook.alerts(),
                () -> {
                    List<Alert> all = notifications(SLOW, "slow", null);
                    return all.get(all.size() - 1).status().equals("firing")
                            && apiStates(SLOW, "slow").contains("firing");
                });
        System.out.println(
                "QueryAlertsIT: StreamingBatchTooSlow across stop + restart of slow: "
                        + notifications(SLOW, "slow", null));

        int before = notifications(SLOW, "slow", null).size();
        driver.command("slow slow sleepMs=0");
        Alert resolved = awaitNotification(SLOW, "slow", "resolved", before);
        List<JsonNode> fast = doneBy(laterRunBatches("slow", firstRun, false), resolved);
        assertTrue(
                fast.size() >= SLOW_BATCHES,
                "resolved only after "
                        + SLOW_BATCHES
                        + " micro-batches within the trigger, Spark ran: "
                        + fast);
        for (Alert a : notifications(SLOW, "slow", null))
            assertEquals(firing.labels(), a.labels(), "the same labels for every run: " + a);
        List<String> states = apiStates(SLOW, "slow");
        assertTrue(
                states.contains("resolved") && states.stream().allMatch("resolved"::equals),
                "/api/v1/alerts?state=all, its items for query slow: " + states);
        driver.command("stop slow");
    }

    @Test
    @Order(2)
    void aKafkaQueryCappedBelowTheProducersRatePagesDelayGrowingWhileItFallsBehind() {
        Alert firing = awaitNotification(DELAY, "orders", "firing", 0);
        long producedAtPage = produced.get();
        assertTrue(producerFailure.get() == null, "the producer: " + producerFailure.get());
        assertEquals(
                Map.of("alertname", DELAY, "app", app, "query", "orders", "severity", "critical"),
                firing.labels());
        assertTrue(!firing.summary().isBlank(), "a summary: " + firing);

        List<JsonNode> batches = driver.microBatches("orders");
        assertTrue(
                batches.stream().allMatch(b -> b.path("numInputRows").asLong() <= MAX_OFFSETS),
                "Spark capped every micro-batch at maxOffsetsPerTrigger: " + batches);
        long consumed = endOffsets(batches.get(batches.size() - 1));
        long behind = producedAtPage - consumed;
        assertTrue(
                behind > 5L * MAX_OFFSETS,
                "the query really fell behind: produced "
                        + producedAtPage
                        + ", Spark's end offsets "
                        + consumed);
        assertTrue(
                notifications(DELAY, "orders", "resolved").isEmpty(),
                "still falling behind, not resolved: " + hook.alerts());
        assertTrue(
                apiStates(DELAY, "orders").contains("firing"),
                "/api/v1/alerts: " + apiStates(DELAY, "orders"));
        producer.shutdownNow();
    }

    @Test
    @Order(3)
    void aQueryWhoseForeachBatchThrowsPagesFailedUntilANewRunMakesProgress() {
        Alert firing = awaitNotification(FAILED, "boom", "firing", 0);
        assertEquals(
                Map.of("alertname", FAILED, "app", app, "query", "boom", "severity", "critical"),
                firing.labels());
        assertTrue(
                firing.summary().contains("IllegalStateException: planned failure in batch 1"),
                "the summary names the exception's first line: " + firing.summary());
        assertTrue(!firing.summary().contains("\n"), "one line: " + firing.summary());
        assertTrue(
                firing.annotations()
                        .getOrDefault("runbook_url", "")
                        .endsWith("/runbook#streamingqueryfailed"),
                "the runbook link: " + firing.annotations());
        assertTrue(
                firing.annotations()
                        .getOrDefault("query_url", "")
                        .contains("/apps/" + ServiceProcess.encode(app) + "#query-"),
                "the link to the query on the app's page: " + firing.annotations());
        assertTrue(
                firing.annotations()
                        .getOrDefault("api_url", "")
                        .endsWith("/api/v1/apps/" + ServiceProcess.encode(app) + "/queries"),
                "the link to the app's queries as JSON: " + firing.annotations());
        List<JsonNode> runs = driver.events("started", e -> "boom".equals(e.path("name").asText()));
        String failedRun = runs.get(runs.size() - 1).path("runId").asText();
        assertTrue(
                !driver.events("terminated", e -> failedRun.equals(e.path("runId").asText()))
                        .isEmpty(),
                "Spark ended the run");
        assertTrue(
                notifications(FAILED, "boom", "resolved").isEmpty(),
                "a failed run alone never resolves: " + hook.alerts());

        // The same checkpoint, no failure. Its micro-batches take 1.5 s (under its new 3 s
        // trigger), so the run's start (shipped within the listener's 200 ms flush) and its first
        // progress reach the service apart.
        driver.command("query boom triggerMs=3000 rows=1 sleepMs=1500");
        Alert resolved = awaitNotification(FAILED, "boom", "resolved", 0);
        assertEquals(firing.labels(), resolved.labels(), "the same alert for the new run");
        assertTrue(
                !doneBy(laterRunBatches("boom", failedRun, null), resolved).isEmpty(),
                "resolved once the new run made progress, not when it started: "
                        + resolved.receivedAtMs()
                        + ", Spark: "
                        + driver.microBatches("boom"));
        assertEquals(1, notifications(FAILED, "boom", "firing").size(), hook.alerts().toString());
        driver.command("stop boom");
    }

    @Test
    @Order(4)
    void aSteadyQueryGetsNoAlertWhileItsNeighboursArePaged() {
        driver.awaitUntil(
                SPARK, "8 micro-batches of steady", e -> driver.microBatches("steady").size() >= 8);
        List<JsonNode> batches = driver.microBatches("steady");
        int streak = 0;
        for (JsonNode b : batches) {
            streak = b.path("triggerExecution").asLong() > STEADY_TRIGGER_MS ? streak + 1 : 0;
            assertTrue(
                    streak < SLOW_BATCHES,
                    "the premise: Spark ran steady within its trigger (machine overloaded?): "
                            + batches);
        }
        SparkTruth.assertMicroBatchesExactly(service, app, "steady", driver);
        assertEquals(
                List.of(),
                hook.alerts(app).stream().filter(a -> a.label("query").equals("steady")).toList(),
                "no notification for steady");
        for (JsonNode a : service.json("/api/v1/alerts?state=all").path("alerts")) {
            assertTrue(
                    !"steady".equals(a.path("query").asText()),
                    "no alert, not even pending, for steady: " + a);
        }
        assertEquals(
                List.of(),
                hook.alerts(app).stream().filter(a -> a.label("query").isEmpty()).toList(),
                "every page of this Structured-Streaming-only app names its query");
        assertTrue(
                Set.of(SLOW + " slow", DELAY + " orders", FAILED + " boom")
                        .containsAll(
                                hook.alerts(app).stream()
                                        .map(a -> a.alertname() + " " + a.label("query"))
                                        .toList()),
                "only the pages each neighbour earned: " + hook.alerts());
    }

    /**
     * Waits for a notification of {@code alertname} for {@code query} with {@code status} among
     * those after the first {@code after} notifications of that alert.
     */
    private Alert awaitNotification(String alertname, String query, String status, int after) {
        return Await.result(
                SPARK,
                Duration.ofMillis(200),
                () -> alertname + " " + status + " for " + query + "; got " + hook.alerts(),
                () -> {
                    List<Alert> all = notifications(alertname, query, null);
                    for (int i = after; i < all.size(); i++)
                        if (all.get(i).status().equals(status)) return all.get(i);
                    return null;
                });
    }

    /** The notifications of {@code alertname} for {@code query} with {@code status} (null: any). */
    private List<Alert> notifications(String alertname, String query, String status) {
        return hook.alerts(app).stream()
                .filter(
                        a ->
                                a.alertname().equals(alertname)
                                        && a.label("query").equals(query)
                                        && (status == null || a.status().equals(status)))
                .toList();
    }

    /**
     * The states of this alert's items in {@code GET /api/v1/alerts?state=all} (current ones and
     * resolved history), found by the items' {@code query} field.
     */
    private List<String> apiStates(String alertname, String query) {
        List<String> states = new ArrayList<>();
        for (JsonNode a : service.json("/api/v1/alerts?state=all").path("alerts")) {
            if (alertname.equals(a.path("alertname").asText())
                    && app.equals(a.path("app").asText())
                    && query.equals(a.path("query").asText())) states.add(a.path("state").asText());
        }
        return states;
    }

    /**
     * Spark's micro-batches of {@code query} in runs after {@code run}, over its 1 s trigger
     * ({@code slow}), within it, or both (null).
     */
    private List<JsonNode> laterRunBatches(String query, String run, Boolean slow) {
        return driver.microBatches(query).stream()
                .filter(b -> !b.path("runId").asText().equals(run))
                .filter(b -> slow == null || b.path("triggerExecution").asLong() > 1000 == slow)
                .toList();
    }

    /**
     * The micro-batches that had ended (Spark's trigger start plus triggerExecution, this machine's
     * clock) when {@code notification} arrived.
     */
    private static List<JsonNode> doneBy(List<JsonNode> batches, Alert notification) {
        return batches.stream()
                .filter(
                        b ->
                                b.path("timestamp").asLong() + b.path("triggerExecution").asLong()
                                        <= notification.receivedAtMs())
                .toList();
    }

    /** The sum of a Kafka source's end offsets, {@code {"orders":{"0":8,"1":8}}}. */
    private static long endOffsets(JsonNode progress) {
        JsonNode offsets = Http.json(progress.path("sources").get(0).path("endOffset").asText());
        long sum = 0;
        for (Iterator<JsonNode> it = offsets.path(TOPIC).elements(); it.hasNext(); )
            sum += it.next().asLong();
        return sum;
    }

    /** Writes {@value #PRODUCED_PER_TICK} records every 100 ms until the class ends. */
    private void startProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        kafkaProducer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        producer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "orders-producer");
                            t.setDaemon(true);
                            return t;
                        });
        producer.scheduleAtFixedRate(
                () -> {
                    for (int i = 0; i < PRODUCED_PER_TICK; i++) {
                        long n = sent.getAndIncrement();
                        kafkaProducer.send(
                                new ProducerRecord<>(TOPIC, (int) (n % PARTITIONS), "k" + n, "o"),
                                (meta, e) -> {
                                    if (e != null) producerFailure.compareAndSet(null, e);
                                    else produced.incrementAndGet();
                                });
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
    }
}
