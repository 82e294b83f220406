package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.PrometheusProcess;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.WebhookReceiver;
import io.streamwatch.testkit.spark.SparkFixtures;
import io.streamwatch.testkit.spark.SparkLine;
import io.streamwatch.testkit.spark.SparkLineDriverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.kafka010.ConsumerStrategies;
import org.apache.spark.streaming.kafka010.KafkaUtils;
import org.apache.spark.streaming.kafka010.LocationStrategies;
import org.junit.jupiter.api.Test;

/**
 * Every PromQL expression of every dashboard and rule file against a real Prometheus scraping a
 * real service that real Spark apps feed (listener by configuration), with a real broker and a
 * committing consumer group: a DStream app (Kafka direct stream) in this JVM, and a Structured
 * Streaming driver on Spark 3.5 in its own JVM running a Kafka-source query with a watermark and a
 * stateful aggregation (every query panel: rates, Kafka lag, watermark, state) and a query that
 * fails (the failure rules). A panel or rule that names a metric or label the service does not
 * export finds no data here and fails the build.
 */
class DashboardQueriesIT {
    private static final String TOKEN = "dash-token-" + System.nanoTime();
    private static final String APP = "dashboard app";
    private static final String TOPIC = "clicks";
    private static final String GROUP = "reporting";
    private static final AtomicLong processingMs = new AtomicLong(100);
    private static final String QUERY_APP = "dashboard queries";
    private static final String QUERY = "clicks";

    /**
     * Functions, keywords and aggregation modifiers: words in an expression that are not series.
     */
    private static final Set<String> NOT_SERIES =
            Set.of(
                    "histogram_quantile",
                    "quantile_over_time",
                    "predict_linear",
                    "avg_over_time",
                    "min_over_time",
                    "max_over_time",
                    "label_values",
                    "clamp_min",
                    "clamp_max",
                    "group_left",
                    "group_right");

    @Test
    void everyDashboardAndRuleExpressionFindsDataInARealPrometheus() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-dashboards");
        AtomicBoolean producing = new AtomicBoolean(true);
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.in(dir.resolve("kafka")).start();
                WebhookReceiver hook = WebhookReceiver.start()) {
            Properties ap = new Properties();
            ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(ap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            Thread producer = producer(kafka.bootstrapServers(), producing);
            commitSome(kafka.bootstrapServers());
            try (ServiceProcess service =
                            ServiceProcess.start(
                                    dir.resolve("service"),
                                    TOKEN,
                                    "kafka: { bootstrapServers: \""
                                            + kafka.bootstrapServers()
                                            + "\", pollInterval: 1s, consumerGroups: ["
                                            + GROUP
                                            + "] }\n"
                                            + "spark: { restPollInterval: 1s, requestTimeout: 3s }\n"
                                            + "alerting: { receivers: [ { type: webhook, url: \""
                                            + hook.url()
                                            + "\" } ] }\n");
                    PrometheusProcess prometheus =
                            PrometheusProcess.prometheus(
                                    dir.resolve("prometheus"),
                                    prometheusConfig(dir.resolve("prometheus"), service.url()))) {
                JavaStreamingContext ssc = sparkApp(kafka.bootstrapServers(), service.url());
                try (SparkLineDriverProcess driver =
                        SparkLineDriverProcess.on(
                                        SparkLine.SPARK_3_5_SCALA_2_12, dir.resolve("driver"))
                                .app(QUERY_APP)
                                .service(service.url(), TOKEN)
                                .start()) {
                    driver.command(
                            "query "
                                    + QUERY
                                    + " triggerMs=2000 watermark=5 maxOffsets=2000 topic="
                                    + TOPIC
                                    + " kafka="
                                    + kafka.bootstrapServers());
                    Await.until(
                            Duration.ofSeconds(90),
                            "batches in the service",
                            () ->
                                    service.get(
                                                                    "/api/v1/apps/"
                                                                            + ServiceProcess.encode(
                                                                                    APP)
                                                                            + "/batches")
                                                            .statusCode()
                                                    == 200
                                            && service.batches(APP, 100).size() >= 5);
                    processingMs.set(
                            1500); // overload: alerts fire, notifications go out, headroom shrinks
                    Await.until(
                            Duration.ofSeconds(90),
                            "a page to be delivered",
                            () -> hook.has(APP, "StreamingBatchTooSlow", "firing"));
                    driver.awaitUntil(
                            Duration.ofSeconds(120),
                            "2 micro-batches of " + QUERY,
                            e -> driver.microBatches(QUERY).size() >= 2);
                    // Started once Prometheus scrapes the service, so it sees the failure counter
                    // rise (the failure rules are built on that).
                    Await.until(
                            Duration.ofSeconds(60),
                            "Prometheus to scrape the query's failure counter",
                            () ->
                                    !prometheus
                                            .query(
                                                    "spark_structured_streaming_query_failures_total{query=\""
                                                            + QUERY
                                                            + "\"}")
                                            .path("data")
                                            .path("result")
                                            .isEmpty());
                    driver.command("query fails triggerMs=1000 rows=1 failAt=1");
                    checkEverything(prometheus);
                } finally {
                    producing.set(false);
                    ssc.stop(true, false);
                    producer.join(10_000);
                }
            }
        }
    }

    private void checkEverything(PrometheusProcess prometheus) throws Exception {
        Map<String, String> dashboardExprs = new LinkedHashMap<>();
        for (Path file : DashboardsIT.dashboards()) {
            JsonNode d = ServiceProcess.JSON.readTree(file.toFile());
            for (JsonNode p : DashboardsIT.panels(d)) {
                for (JsonNode t : p.path("targets")) {
                    dashboardExprs.put(
                            file.getFileName()
                                    + " / "
                                    + p.path("title").asText()
                                    + " / "
                                    + t.path("refId").asText(),
                            substitute(t.path("expr").asText(), file));
                }
            }
            for (JsonNode v : d.path("templating").path("list")) {
                if (v.path("type").asText().equals("query")) {
                    Matcher m =
                            Pattern.compile("label_values\\((\\w+(?:\\{[^}]*})?), *(\\w+)\\)")
                                    .matcher(v.path("definition").asText());
                    assertTrue(m.find(), file + ": variable query " + v.path("definition"));
                    dashboardExprs.put(
                            file.getFileName() + " / variable $" + v.path("name").asText(),
                            substitute("count by (" + m.group(2) + ") (" + m.group(1) + ")", file));
                }
            }
        }
        Map<String, String> recordExprs = new LinkedHashMap<>();
        Map<String, String> alertExprs = new LinkedHashMap<>();
        for (Path rules :
                List.of(
                        AlertRulesIT.repo().resolve("alert-rules/streamwatch-recording.yml"),
                        AlertRulesIT.repo().resolve("alert-rules/streamwatch-alerts.yml"),
                        AlertRulesIT.repo().resolve("alert-rules/streamwatch-query-alerts.yml"))) {
            JsonNode doc =
                    new com.fasterxml.jackson.databind.ObjectMapper(
                                    new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                            .readTree(rules.toFile());
            for (JsonNode g : doc.path("groups")) {
                for (JsonNode r : g.path("rules")) {
                    if (r.has("record"))
                        recordExprs.put(r.get("record").asText(), r.get("expr").asText());
                    else
                        alertExprs.put(
                                r.get("alert").asText() + " (" + g.path("name").asText() + ")",
                                r.get("expr").asText());
                }
            }
        }
        assertTrue(
                dashboardExprs.size() > 40,
                "found " + dashboardExprs.size() + " dashboard queries");

        // Data must show up for every dashboard query and recording rule: poll until it does (rate
        // windows fill up).
        Map<String, String> mustHaveData = new LinkedHashMap<>(dashboardExprs);
        recordExprs.forEach((k, v) -> mustHaveData.put("record " + k, v));
        List<String> missing = new ArrayList<>();
        try {
            Await.result(
                    Duration.ofSeconds(120),
                    "every dashboard and recording-rule query to return data",
                    () -> {
                        missing.clear();
                        for (Map.Entry<String, String> e : mustHaveData.entrySet()) {
                            JsonNode r = prometheus.query(e.getValue());
                            if (!"success".equals(r.path("status").asText())) {
                                throw new AssertionError(
                                        e.getKey()
                                                + ": does not parse: "
                                                + r.path("error").asText()
                                                + "\n  "
                                                + e.getValue());
                            }
                            if (r.path("data").path("result").isEmpty())
                                missing.add(e.getKey() + ": " + e.getValue());
                        }
                        return missing.isEmpty() ? true : null;
                    });
        } catch (AssertionError timedOut) {
            throw new AssertionError(
                    "queries that never returned data (a metric or label the service does not export?):\n  "
                            + String.join("\n  ", missing),
                    timedOut);
        }

        // Alert expressions return series only while they fire; each must parse, and every series
        // it reads must exist (a recorded series a rule evaluation after its expression has data).
        for (Map.Entry<String, String> e : alertExprs.entrySet()) {
            JsonNode r = prometheus.query(e.getValue());
            assertEquals(
                    "success",
                    r.path("status").asText(),
                    e.getKey() + ": " + r.path("error").asText());
            for (String series : seriesIn(e.getValue())) {
                Await.until(
                        Duration.ofSeconds(30),
                        e.getKey() + " reads " + series + ", which has no data",
                        () ->
                                !prometheus
                                        .query("count(" + series + ")")
                                        .path("data")
                                        .path("result")
                                        .isEmpty());
            }
        }
    }

    /** Metric and recording-rule names in an expression. */
    static Set<String> seriesIn(String expr) {
        Set<String> out = new TreeSet<>();
        String withoutLabels =
                expr.replaceAll("\\{[^}]*}", "")
                        .replaceAll("(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(withoutLabels);
        while (m.find()) {
            String word = m.group();
            if ((word.contains("_") || word.contains(":"))
                    && !NOT_SERIES.contains(word)
                    && !word.endsWith("_over_time")
                    && !word.startsWith("humanize")) {
                out.add(word);
            }
        }
        return out;
    }

    /**
     * Variables filled in: {@code $app} is the DStream app, except on the query dashboard (the
     * Structured Streaming app and its query); a multi-value {@code =~"$app"} selects both apps.
     */
    private static String substitute(String expr, Path dashboard) {
        boolean queryDashboard =
                dashboard.getFileName().toString().equals("streamwatch-query.json");
        String app = queryDashboard ? QUERY_APP : APP;
        return expr.replace("$__rate_interval", "1m")
                .replace("=~\"$app\"", "=~\"" + APP + "|" + QUERY_APP + "\"")
                .replace("${query}", QUERY)
                .replace("$query", QUERY)
                .replace("${app}", app)
                .replace("$app", app);
    }

    /** A scrape config and the rule files with their evaluation intervals shortened to 1 s. */
    private static Path prometheusConfig(Path dir, String serviceUrl) throws Exception {
        Files.createDirectories(dir);
        List<String> ruleFiles =
                List.of(
                        "streamwatch-recording.yml",
                        "streamwatch-alerts.yml",
                        "streamwatch-query-alerts.yml");
        for (String name : ruleFiles) {
            String text =
                    Files.readString(AlertRulesIT.repo().resolve("alert-rules").resolve(name));
            Files.writeString(
                    dir.resolve(name), text.replaceAll("interval: \\d+[smh]", "interval: 1s"));
        }
        String target = serviceUrl.replace("http://", "");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
                        + "rule_files: ["
                        + String.join(
                                ", ",
                                ruleFiles.stream().map(f -> dir.resolve(f).toString()).toList())
                        + "]\n"
                        + "scrape_configs:\n  - job_name: streamwatch\n    static_configs: [ { targets: [\""
                        + target
                        + "\"] } ]\n");
        return config;
    }

    private static Thread producer(String bootstrap, AtomicBoolean producing) {
        Thread t =
                new Thread(
                        () -> {
                            Properties p = new Properties();
                            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                            try (KafkaProducer<String, String> producer =
                                    new KafkaProducer<>(
                                            p, new StringSerializer(), new StringSerializer())) {
                                long n = 0;
                                while (producing.get()) {
                                    for (int part = 0; part < 3; part++)
                                        producer.send(
                                                new ProducerRecord<>(
                                                        TOPIC, part, "k" + n, "click " + n++));
                                    Thread.sleep(20);
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "dashboard-producer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A consumer group that reads and commits part of the topic, so group lag exists. */
    private static void commitSome(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(TOPIC));
            Await.result(
                    Duration.ofSeconds(60),
                    "the consumer group to read and commit",
                    () -> {
                        if (c.poll(Duration.ofMillis(200)).isEmpty()) return null;
                        c.commitSync();
                        return true;
                    });
        }
    }

    private static JavaStreamingContext sparkApp(String bootstrap, String serviceUrl) {
        JavaStreamingContext ssc =
                new JavaStreamingContext(
                        StreamingDriver.conf(APP, serviceUrl, TOKEN)
                                .set("spark.streaming.kafka.maxRatePerPartition", "100"),
                        Durations.seconds(1));
        Map<String, Object> params = SparkFixtures.kafkaParams(bootstrap, "dashboard-spark");
        KafkaUtils.createDirectStream(
                        ssc,
                        LocationStrategies.PreferConsistent(),
                        ConsumerStrategies.<String, String>Subscribe(List.of(TOPIC), params))
                .foreachRDD(
                        rdd -> {
                            rdd.count();
                            Thread.sleep(processingMs.get());
                        });
        ssc.start();
        return ssc;
    }
}
