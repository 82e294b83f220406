package io.streamwatch.service.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.Buckets;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.Promtool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code spark_structured_streaming_*} series as a scrape shows them, rendered from hand-built
 * query snapshots attached to a real app's snapshot.
 */
class QueryMetricsTest {
    private static final long TS = 1_764_568_452_000L;
    private static final Duration RETENTION = Duration.ofHours(1);

    private final MutableClock clock = MutableClock.atSystemTime();
    private final AtomicReference<List<QuerySnapshot>> queries = new AtomicReference<>(List.of());
    private AppRegistry registry;
    private AppMetricsCollector collector;
    private ServiceMetrics metrics;

    @BeforeEach
    void start() {
        registry = new AppRegistry(clock, 100, 100, Duration.ofSeconds(30), Duration.ofHours(1));
        long t = clock.millis();
        registry.apply(
                new EventParser(clock, 1000)
                        .parse(
                                Events.from("orders", "app-1")
                                        .streamingStarted(t - 5000, 1000)
                                        .completed(t - 2000, 5, 200, 10, null)
                                        .json()
                                        .getBytes(StandardCharsets.UTF_8)));
        collector =
                new AppMetricsCollector(
                        () -> registry.snapshots().stream().map(this::withQueries).toList(),
                        clock,
                        RETENTION);
        metrics = new ServiceMetrics(registry, collector);
    }

    @AfterEach
    void stop() {
        metrics.close();
    }

    /** The real app's snapshot, with the queries the test set. */
    private AppSnapshot withQueries(AppSnapshot a) {
        return new AppSnapshot(
                a.app(),
                a.state(),
                a.batchIntervalMs(),
                a.waitingBatches(),
                a.receivers(),
                a.run(),
                a.batches(),
                a.listener(),
                a.receiving(),
                a.rest(),
                queries.get());
    }

    private static MicroBatch batch(
            Long triggerExecutionMs, Double inputRate, Double processedRate, Long watermark) {
        Map<String, Long> durations = new HashMap<>(Map.of("addBatch", 600L, "getBatch", 3L));
        if (triggerExecutionMs != null) durations.put("triggerExecution", triggerExecutionMs);
        return new MicroBatch(
                "qid-enrich",
                "run-2",
                41,
                TS,
                durations,
                120,
                inputRate,
                processedRate,
                watermark,
                300,
                4096,
                2,
                List.of(new MicroBatch.Source("Kafka[Subscribe[orders]]", null, null, null, 120)));
    }

    /** Three micro-batches of 0.2 s and one of 1.5 s. */
    private static Buckets.Snapshot durations() {
        long[] counts = new long[Buckets.SECONDS.length + 1];
        counts[java.util.Arrays.binarySearch(Buckets.SECONDS, 0.25)] = 3;
        counts[java.util.Arrays.binarySearch(Buckets.SECONDS, 2.5)] = 1;
        // 2.1 s as adding observations up in double precision can leave it: the exposition writes
        // the sum to the millisecond the observations carry (2.1)
        return new Buckets.Snapshot(counts, 4, 2.1000000000000005);
    }

    private static QuerySnapshot query(
            String key,
            boolean up,
            long restarts,
            Long triggerIntervalMs,
            Long lastProgress,
            MicroBatch last) {
        return new QuerySnapshot(
                key,
                "qid-" + key,
                "run-" + key,
                key,
                up ? QuerySnapshot.ACTIVE : QuerySnapshot.FAILED,
                up,
                triggerIntervalMs == null ? "default" : "processingTime",
                triggerIntervalMs,
                triggerIntervalMs == null ? null : "spark",
                lastProgress,
                up ? null : "java.lang.IllegalStateException: boom",
                null,
                restarts,
                2,
                42,
                5000,
                9,
                durations(),
                last,
                List.of());
    }

    private String scrape() throws Exception {
        return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
    }

    @Test
    void everyQuerySeriesIsRenderedFromTheSnapshotLabelledByAppAndQuery() throws Exception {
        queries.set(
                List.of(
                        query(
                                "enrich",
                                true,
                                1,
                                2000L,
                                clock.millis(),
                                batch(812L, 9.5, 12.25, TS - 10_000))));
        String s = scrape();
        String[] q = {"app", "orders", "query", "enrich"};
        assertEquals(
                1.0,
                value(
                        s,
                        "spark_structured_streaming_query_info",
                        "app",
                        "orders",
                        "query",
                        "enrich",
                        "query_id",
                        "qid-enrich",
                        "run_id",
                        "run-enrich"));
        assertEquals(1.0, value(s, "spark_structured_streaming_query_up", q));
        assertEquals(1.0, value(s, "spark_structured_streaming_query_restarts_total", q));
        assertEquals(2.0, value(s, "spark_structured_streaming_query_failures_total", q));
        assertEquals(2.0, value(s, "spark_structured_streaming_trigger_interval_seconds", q));
        assertEquals(42.0, value(s, "spark_structured_streaming_batches_completed_total", q));
        assertEquals(5000.0, value(s, "spark_structured_streaming_input_rows_total", q));
        assertEquals(9.0, value(s, "spark_structured_streaming_late_rows_dropped_total", q));
        assertEquals(0.812, value(s, "spark_structured_streaming_last_batch_duration_seconds", q));
        assertEquals(
                TS / 1000.0, value(s, "spark_structured_streaming_last_batch_time_seconds", q));
        assertEquals(9.5, value(s, "spark_structured_streaming_input_rate_rows_per_second", q));
        assertEquals(
                12.25, value(s, "spark_structured_streaming_processing_rate_rows_per_second", q));
        assertEquals(10.0, value(s, "spark_structured_streaming_watermark_lag_seconds", q));
        assertEquals(300.0, value(s, "spark_structured_streaming_state_rows", q));
        assertEquals(4096.0, value(s, "spark_structured_streaming_state_memory_bytes", q));
        assertEquals(
                1.0,
                value(
                        s,
                        "spark_structured_streaming_query_up",
                        "app",
                        "orders",
                        "query",
                        "enrich"));
        assertEquals(
                10.0,
                value(s, "spark_streaming_records_total", "app", "orders"),
                "the app's own series are still there");
    }

    /**
     * What {@code ScrapeTest} checks for the running service, with queries: every family exported
     * is in {@link MetricCatalogue#all()}, and every per-query series but Kafka lag (rendered by
     * the Kafka lag poller) is exported.
     */
    @Test
    void everyFamilyOfAScrapeWithQueriesIsCatalogued() throws Exception {
        queries.set(
                List.of(
                        query(
                                "enrich",
                                true,
                                1,
                                2000L,
                                clock.millis(),
                                batch(812L, 9.5, 12.25, TS - 10_000))));
        TreeSet<String> exported = new TreeSet<>();
        for (String line : scrape().split("\n")) {
            if (line.startsWith("# TYPE ")) exported.add(line.split(" ")[2]);
        }
        TreeSet<String> unknown = new TreeSet<>(exported);
        unknown.removeIf(f -> f.startsWith("jvm_") || f.startsWith("process_"));
        unknown.removeIf(f -> f.startsWith("system_"));
        for (Series m : MetricCatalogue.all()) {
            unknown.remove(m.exposedName());
            if (m.type() == MetricCatalogue.Type.SUMMARY) unknown.remove(m.baseName() + "_max");
        }
        assertEquals(new TreeSet<>(), unknown, "exported but not in the catalogue");
        for (QueryMetricCatalogue m : QueryMetricCatalogue.values()) {
            if (m.baseName().contains("_kafka_lag_")) continue;
            assertTrue(exported.contains(m.exposedName()), m.exposedName() + " not exported");
        }
    }

    @Test
    void idsAppearOnlyOnTheInfoSeries() throws Exception {
        queries.set(
                List.of(
                        query("enrich", true, 1, 2000L, clock.millis(), batch(812L, 9.5, 1.0, TS)),
                        query("audit", false, 0, null, clock.millis(), null)));
        String s = scrape();
        TreeSet<String> withIds = new TreeSet<>();
        for (String line : s.split("\n")) {
            if (line.startsWith("#")) continue;
            if (line.contains("query_id=") || line.contains("run_id=") || line.contains("qid-"))
                withIds.add(line.substring(0, line.indexOf('{')));
        }
        assertEquals(new TreeSet<>(List.of("spark_structured_streaming_query_info")), withIds);
    }

    @Test
    void valuesSparkDidNotReportAreAbsentSeriesNotZeros() throws Exception {
        queries.set(
                List.of(
                        // no trigger interval (not a processing-time trigger), no rates, no
                        // watermark, no triggerExecution
                        query(
                                "plain",
                                true,
                                0,
                                null,
                                clock.millis(),
                                batch(null, null, null, null)),
                        // a watermark that has not advanced yet (Spark reports 0)
                        query("early", true, 0, 1000L, clock.millis(), batch(5L, 1.0, 1.0, 0L)),
                        // no micro-batch yet
                        query("fresh", true, 0, 1000L, null, null)));
        String s = scrape();
        for (String name :
                List.of(
                        "spark_structured_streaming_trigger_interval_seconds",
                        "spark_structured_streaming_input_rate_rows_per_second",
                        "spark_structured_streaming_processing_rate_rows_per_second",
                        "spark_structured_streaming_watermark_lag_seconds",
                        "spark_structured_streaming_last_batch_duration_seconds")) {
            assertNull(value(s, name, "app", "orders", "query", "plain"), name);
        }
        assertNull(
                value(
                        s,
                        "spark_structured_streaming_watermark_lag_seconds",
                        "app",
                        "orders",
                        "query",
                        "early"));
        assertEquals(
                0.005,
                value(
                        s,
                        "spark_structured_streaming_last_batch_duration_seconds",
                        "app",
                        "orders",
                        "query",
                        "early"));
        for (String name :
                List.of(
                        "spark_structured_streaming_last_batch_time_seconds",
                        "spark_structured_streaming_last_batch_duration_seconds",
                        "spark_structured_streaming_state_rows",
                        "spark_structured_streaming_state_memory_bytes")) {
            assertNull(value(s, name, "app", "orders", "query", "fresh"), name);
        }
        assertEquals(
                1.0,
                value(
                        s,
                        "spark_structured_streaming_trigger_interval_seconds",
                        "app",
                        "orders",
                        "query",
                        "fresh"));
    }

    @Test
    void batchDurationIsAHistogramWithTheDStreamBucketLayoutWrittenSparsely() throws Exception {
        queries.set(
                List.of(query("enrich", true, 0, 1000L, clock.millis(), batch(5L, 1.0, 1.0, TS))));
        String s = scrape();
        String[] q = {"app", "orders", "query", "enrich"};
        String h = "spark_structured_streaming_batch_duration_seconds";
        assertEquals(0.0, value(s, h + "_bucket", with(q, "le", "0.1")));
        assertEquals(3.0, value(s, h + "_bucket", with(q, "le", "0.25")));
        assertEquals(3.0, value(s, h + "_bucket", with(q, "le", "1.0")));
        assertEquals(4.0, value(s, h + "_bucket", with(q, "le", "2.5")));
        assertEquals(4.0, value(s, h + "_bucket", with(q, "le", "+Inf")));
        assertEquals(4.0, value(s, h + "_count", q));
        assertEquals(2.1, value(s, h + "_sum", q));
        // Buckets that hold observations, each with its lower edge, and +Inf: what
        // histogram_quantile needs to answer as it would from the full layout.
        assertEquals(List.of("0.1", "0.25", "1.0", "2.5", "+Inf"), bounds(s, h + "_bucket"));
        assertNull(value(s, h + "_bucket", with(q, "le", "0.5")), "empty, and not an edge");
        assertNull(value(s, h + "_bucket", with(q, "le", "5.0")), "empty, and not an edge");
        assertTrue(s.contains("# TYPE " + h + " histogram"), s);
    }

    @Test
    void aQueryThatCannotBeRenderedIsLeftOutAloneAndCounted() throws Exception {
        // A negative counter (a damaged record) cannot be exposed.
        queries.set(
                List.of(
                        query("broken", true, -1, 1000L, clock.millis(), null),
                        query("enrich", true, 0, 1000L, clock.millis(), null)));
        String first = scrape();
        String second = scrape();
        assertFalse(first.contains("query=\"broken\""), "left out whole, not half rendered");
        assertEquals(
                1.0,
                value(
                        first,
                        "spark_structured_streaming_query_up",
                        "app",
                        "orders",
                        "query",
                        "enrich"));
        assertEquals(1.0, value(first, "spark_streaming_app_up", "app", "orders"));
        assertTrue(value(second, "streamwatch_metrics_render_errors_total") >= 1, second);
        assertEquals(2.0, collector.renderErrors(), "once per scrape");
    }

    @Test
    void aQueryStoppedLongerThanTheRetentionIsNoLongerRendered() throws Exception {
        long progressed = clock.millis();
        queries.set(
                List.of(
                        query("stopped", false, 0, 1000L, progressed, null),
                        query("running", true, 0, 1000L, progressed, null)));
        assertEquals(
                0.0,
                value(
                        scrape(),
                        "spark_structured_streaming_query_up",
                        "app",
                        "orders",
                        "query",
                        "stopped"),
                "a stopped query is shown down first");

        clock.advance(RETENTION.plusMinutes(1));
        // keep the app itself fresh
        registry.apply(
                new EventParser(clock, 1000)
                        .parse(
                                Events.from("orders", "app-1")
                                        .startingAt(100)
                                        .heartbeat(clock.millis())
                                        .json()
                                        .getBytes(StandardCharsets.UTF_8)));
        String s = scrape();
        assertFalse(s.contains("query=\"stopped\""), s);
        assertEquals(
                1.0,
                value(
                        s,
                        "spark_structured_streaming_query_up",
                        "app",
                        "orders",
                        "query",
                        "running"));
    }

    @Test
    void promtoolAcceptsTheExpositionWithQueries() throws Exception {
        queries.set(
                List.of(
                        query(
                                "enrich",
                                true,
                                1,
                                2000L,
                                clock.millis(),
                                batch(812L, 9.5, 12.25, TS - 10_000)),
                        query(
                                "audit",
                                false,
                                0,
                                null,
                                clock.millis(),
                                batch(3L, null, null, null))));
        String s = scrape();
        assertTrue(s.contains("spark_structured_streaming_batch_duration_seconds_bucket"), s);
        Promtool.assertAccepts(s);
    }

    private static String[] with(String[] labels, String... more) {
        List<String> all = new ArrayList<>(List.of(labels));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The value of one series in a text scrape, or null if the scrape does not have it. */
    static Double value(String scrape, String name, String... labelPairs) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) want.put(labelPairs[i], labelPairs[i + 1]);
        for (String line : scrape.split("\n")) {
            Map<String, String> labels = new HashMap<>();
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches() || !m.group(1).equals(name)) continue;
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            if (labels.equals(want)) return Double.parseDouble(m.group(4));
        }
        return null;
    }

    /** The {@code le} values of a histogram's buckets, in order of appearance (first series). */
    private static List<String> bounds(String scrape, String bucketName) {
        List<String> out = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(bucketName + "{")) continue;
            Matcher l = Pattern.compile("le=\"([^\"]*)\"").matcher(line);
            if (l.find() && !out.contains(l.group(1))) out.add(l.group(1));
        }
        return out;
    }
}
