package io.streamwatch.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs every benchmark of issue 8 and writes {@code bench/results/latest.json} and the results
 * table of {@code docs/BENCHMARKS.md}. {@code bench/run.sh [--quick]} builds what it needs and
 * starts this.
 *
 * <p>Arguments: {@code [--quick] [--only SECTION,…] --out FILE --docs FILE --command "TEXT"};
 * sections are {@code jmh, drops, ingest, scale, scale10k, kafka, detect, detect_am}. A section
 * that fails leaves its figures null and says why in {@code not_measured}; the others still run.
 */
public final class BenchMain {
    static final List<String> SECTIONS =
            List.of("jmh", "drops", "ingest", "scale", "scale10k", "kafka", "detect", "detect_am");

    private final boolean quick;
    private final Path work;
    private final Log log = new Log();
    private final Results results;

    private BenchMain(boolean quick, Path work, Results results) {
        this.quick = quick;
        this.work = work;
        this.results = results;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Set<String> only = new LinkedHashSet<>(SECTIONS);
        Path out = Path.of("bench/results/latest.json");
        Path docs = Path.of("docs/BENCHMARKS.md");
        String command = "bench/run.sh";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
                case "--out" -> out = Path.of(args[++i]);
                case "--docs" -> docs = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default ->
                        throw new IllegalArgumentException(
                                "unknown argument "
                                        + args[i]
                                        + "; use [--quick] [--only "
                                        + String.join(",", SECTIONS)
                                        + "] [--out FILE] [--docs FILE]");
            }
        }
        Path work = Files.createTempDirectory("streamwatch-bench-");
        Results results = new Results(quick, command);
        BenchMain main = new BenchMain(quick, work, results);
        long started = System.nanoTime();
        main.log.info(
                "%s run, work directory %s, load average %s",
                quick ? "quick" : "full", work, Machine.loadAverage());
        for (String section : SECTIONS) {
            if (only.contains(section)) main.section(section);
        }
        results.finish((System.nanoTime() - started) / 1e9);
        Files.createDirectories(out.toAbsolutePath().getParent());
        ServiceProcess.JSON
                .copy()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.toFile(), results.json());
        main.log.info("wrote %s", out);
        if (docs != null) {
            Report.update(docs, results.json());
            main.log.info("updated %s", docs);
        }
        if (Boolean.getBoolean("bench.keep") || results.anyFailed()) {
            main.log.info("kept %s (logs of the services, brokers, Prometheus)", work);
        } else {
            deleteTree(work);
        }
        System.exit(0); // Spark and HTTP client threads are not all daemons
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // leave it to the OS's temp cleanup
        }
    }

    private void section(String name) {
        String loadBefore = Machine.loadAverage();
        double busy = Machine.busyShare(2000);
        long t0 = System.nanoTime();
        log.info(
                "=== %s (load average %s; CPU busy %.0f%% over the 2 s before, with no benchmark running)",
                name, loadBefore, busy * 100);
        try {
            switch (name) {
                case "jmh" -> jmh();
                case "drops" -> drops();
                case "ingest" -> ingest();
                case "scale" -> scale();
                case "scale10k" -> appsAndQueries();
                case "kafka" -> kafka();
                case "detect" -> detect();
                case "detect_am" -> detectSamePath();
                default -> throw new IllegalArgumentException(name);
            }
        } catch (Throwable e) {
            log.info("%s FAILED: %s", name, e);
            e.printStackTrace();
            results.failed(name, e);
        }
        results.section(
                name, loadBefore, busy, Machine.loadAverage(), (System.nanoTime() - t0) / 1e9);
    }

    private void jmh() throws Exception {
        int forks = quick ? 1 : 3;
        String token = "bench-jmh-" + System.nanoTime();
        // One JMH run per fork measures both callbacks: a DStream event (wrapped) and a Structured
        // Streaming progress event (unwrapped), each against the same budget.
        Map<String, JmhFigures> byMethod = new LinkedHashMap<>();
        byMethod.put("onOtherEvent", new JmhFigures("listener_enqueue"));
        byMethod.put("onQueryProgress", new JmhFigures("listener_enqueue_query"));
        double shipped;
        String sparkArgs = System.getProperty("streamwatch.spark.jvm.args", "");
        try (ServiceProcess service =
                ServiceProcess.in(work.resolve("jmh-service"))
                        .token(token)
                        .jvmArgs("-Xmx1g")
                        .requestTimeout(Duration.ofSeconds(60))
                        .yaml("")
                        .start()) {
            for (int f = 0; f < forks; f++) {
                OptionsBuilder b = new OptionsBuilder();
                b.include(
                                ListenerEnqueueBenchmark.class.getName()
                                        + ".("
                                        + String.join("|", byMethod.keySet())
                                        + ")$")
                        .param("url", service.url())
                        .param("token", token)
                        .forks(1)
                        .warmupIterations(quick ? 2 : 3)
                        .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                        .measurementIterations(quick ? 3 : 5)
                        .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                        .jvmArgsAppend(
                                jvmArgs(
                                        sparkArgs,
                                        "-Xmx1g",
                                        "-Dlog4j2.configurationFile=classpath:log4j2.properties"))
                        .shouldFailOnError(true)
                        .verbosity(VerboseMode.SILENT);
                for (RunResult r : new Runner(b.build()).run()) {
                    String benchmark = r.getParams().getBenchmark();
                    String label = benchmark.substring(benchmark.lastIndexOf('.') + 1);
                    JmhFigures figures = byMethod.get(label);
                    if (figures == null)
                        throw new IllegalStateException("unexpected JMH benchmark " + label);
                    Statistics s = r.getPrimaryResult().getStatistics();
                    figures.add(s);
                    log.info(
                            "jmh fork %d %s: p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns (%d samples)",
                            f + 1,
                            label,
                            s.getPercentile(50),
                            s.getPercentile(99),
                            s.getPercentile(99.9),
                            s.getN());
                }
            }
            shipped =
                    ServiceProcess.sample(
                            service.metrics(),
                            "streamwatch_ingest_events_total",
                            "result=\"accepted\"");
        }
        if (!(shipped > 0))
            throw new IllegalStateException(
                    "the listener's shipper delivered nothing to the live service");
        for (JmhFigures figures : byMethod.values()) {
            if (figures.p50.isEmpty())
                throw new IllegalStateException("JMH measured nothing for " + figures.prefix);
            results.figure(figures.prefix + "_ns_p50", Stats.of(figures.p50), "ns");
            results.figure(figures.prefix + "_ns_p99", Stats.of(figures.p99), "ns");
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("forks", forks);
            d.put("samples", figures.samples);
            d.put("p99_9_ns_per_fork", figures.p999.stream().map(Stats::round).toList());
            results.detail(figures.prefix, d);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("events_the_shipper_delivered_to_the_service", (long) shipped);
        d.put(
                "mode",
                "JMH SampleTime, 1 thread, back-to-back calls (queue kept full: drop-oldest path), shipper live;"
                        + " listener_enqueue: DStream events, listener_enqueue_query: Structured Streaming progress events");
        results.detail("listener_enqueue_run", d);
    }

    /** One JMH benchmark's percentiles over the forks. */
    private static final class JmhFigures {
        final String prefix;
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final List<Double> p999 = new ArrayList<>();
        long samples;

        JmhFigures(String prefix) {
            this.prefix = prefix;
        }

        void add(Statistics s) {
            p50.add(s.getPercentile(50));
            p99.add(s.getPercentile(99));
            p999.add(s.getPercentile(99.9));
            samples += s.getN();
        }
    }

    private static String[] jvmArgs(String spaceSeparated, String... more) {
        List<String> a = new ArrayList<>();
        for (String s : spaceSeparated.trim().split("\\s+")) if (!s.isEmpty()) a.add(s);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private void drops() throws Exception {
        int runs = quick ? 1 : 3;
        double phase = quick ? 8 : 15;
        List<Long> shared = new ArrayList<>();
        List<Map<String, Object>> details = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            DroppedEventsBenchmark.Result r =
                    DroppedEventsBenchmark.run(work.resolve("drops-" + i), phase, log);
            shared.add(r.sharedDropped());
            details.add(DroppedEventsBenchmark.describe(r));
        }
        results.figure("listener_dropped_spark_events", Stats.of(shared), "events");
        results.detail("listener_dropped_spark_events_runs", details);
    }

    private void ingest() throws Exception {
        int runs = quick ? 1 : 3;
        double window = quick ? 12 : 30;
        int drivers = 50;
        List<Double> rates = new ArrayList<>();
        List<Map<String, Object>> details = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            IngestThroughput.Run r =
                    IngestThroughput.run(work.resolve("ingest-" + i), drivers, window, log);
            log.info(
                    "ingest run %d: %.0f events/s durable (%d accepted, %d duplicates, %d requests in %.1f s, %d errors)",
                    i + 1,
                    r.eventsPerSecond(),
                    r.accepted(),
                    r.duplicates(),
                    r.requests(),
                    r.seconds(),
                    r.errors());
            if (r.errors() > 0)
                throw new IllegalStateException(
                        r.errors() + " ingest requests failed in run " + (i + 1));
            rates.add(r.eventsPerSecond());
            details.add(IngestThroughput.describe(r));
        }
        results.figure("ingest_events_per_second", Stats.of(rates), "events/s");
        results.detail("ingest_runs", details);
    }

    private void scale() throws Exception {
        int prefill = Integer.getInteger("bench.scale.prefill", quick ? 100 : 1000);
        List<Map<String, Object>> growth = new ArrayList<>();
        for (String a : System.getProperty("bench.scale.apps", "100,1000,5000").split(",")) {
            int apps = Integer.parseInt(a.trim());
            double live =
                    Double.parseDouble(
                            System.getProperty(
                                    "bench.scale.live",
                                    quick ? "20" : apps == 5000 ? "180" : "60"));
            int scrapes = quick ? 3 : apps == 5000 ? 10 : 5;
            ScaleBenchmark.Result r =
                    ScaleBenchmark.run(
                            work.resolve("scale-" + apps), apps, prefill, live, scrapes, "2g", log);
            growth.add(ScaleBenchmark.describe(r));
            results.growth("apps", growth);
            if (apps == 5000) {
                results.figure("scrape_ms_5000_apps", r.scrapeMs(), "ms");
                results.figure("heap_mb_5000_apps", r.heapMb(), "MB");
            }
        }
    }

    /**
     * Issue 15's steady state: {@code bench.scale10k.apps} (5000) apps, each with one query,
     * history filled to {@code bench.scale10k.prefill} (1000; quick 100), {@code
     * bench.scale10k.steady} seconds (180; quick 60) with a scrape every {@code
     * bench.scale10k.scrapeEvery} (15) s, service heap {@code bench.scale10k.xmx} (512m).
     */
    private void appsAndQueries() throws Exception {
        int apps = Integer.getInteger("bench.scale10k.apps", 5000);
        int prefill = Integer.getInteger("bench.scale10k.prefill", quick ? 100 : 1000);
        double steady =
                Double.parseDouble(
                        System.getProperty("bench.scale10k.steady", quick ? "60" : "180"));
        double every = Double.parseDouble(System.getProperty("bench.scale10k.scrapeEvery", "15"));
        String xmx = System.getProperty("bench.scale10k.xmx", "512m");
        AppsAndQueriesBenchmark.Result r =
                AppsAndQueriesBenchmark.run(
                        work.resolve("scale10k-" + apps), apps, prefill, steady, every, xmx, log);
        results.detail("apps_and_queries", AppsAndQueriesBenchmark.describe(r));
        if (apps == 5000) {
            String suffix = "_5000_apps_5000_queries";
            results.figure("scrape_ms" + suffix, r.scrapeMs(), "ms");
            // one exposition size, one steady window, one restart per run
            results.figure("metrics_mb" + suffix, Stats.of(List.of(r.metricsBytes() / 1e6)), "MB");
            results.figure("heap_mb" + suffix, r.heapMb(), "MB");
            results.figure(
                    "service_cpu_cores" + suffix, Stats.of(List.of(r.serviceCores())), "cores");
            results.figure("restart_s" + suffix, Stats.of(List.of(r.restartSeconds())), "s");
        }
    }

    private void kafka() throws Exception {
        int polls = quick ? 4 : 10;
        List<Map<String, Object>> growth = new ArrayList<>();
        try (KafkaBrokerProcess broker = KafkaLagBenchmark.broker(work.resolve("kafka"))) {
            for (int partitions : List.of(500, 5000)) {
                KafkaLagBenchmark.Result r =
                        KafkaLagBenchmark.run(
                                broker, work.resolve("kafka"), partitions, polls, log);
                growth.add(KafkaLagBenchmark.describe(r));
                results.growth("partitions", growth);
                if (partitions == 5000)
                    results.figure("kafka_lag_poll_ms_5000_partitions", r.pollMs(), "ms");
            }
        }
    }

    private void detect() throws Exception {
        int reps = quick ? 3 : 10;
        DetectLatencyBenchmark.Result r =
                DetectLatencyBenchmark.run(work.resolve("detect"), reps, true, log);
        List<Double> ours = r.ours();
        Stats s = Stats.of(ours);
        results.figure("detect_latency_ms_p50", s, "ms");
        results.value("detect_latency_ms_p99", Stats.percentileOf(ours, 99), s.spread("ms"));
        List<Double> base = r.base();
        if (!base.isEmpty()) {
            Stats b = Stats.of(base);
            results.figure("baseline_detect_latency_ms_p50", b, "ms");
            List<Double> ratios = new ArrayList<>();
            for (DetectLatencyBenchmark.Rep rep : r.reps()) {
                if (!Double.isNaN(rep.baselineMs()))
                    ratios.add(rep.baselineMs() / Math.max(1, rep.oursMs()));
            }
            Map<String, Object> spread =
                    Stats.of(ratios).spread("x (per repetition: baseline ÷ Streamwatch)");
            results.value(
                    "detect_speedup_vs_prometheus_servlet",
                    b.median() / Math.max(1, s.median()),
                    spread);
        }
        results.detail("detect", DetectLatencyBenchmark.describe(r));
    }

    /**
     * Issue 15's like-for-like detection: Streamwatch and the PrometheusServlet baseline both page
     * through one Alertmanager with group_wait {@code bench.detect.groupWait} (0s, the smallest it
     * accepts) and the same webhook.
     */
    private void detectSamePath() throws Exception {
        int reps = Integer.getInteger("bench.detect.reps", quick ? 3 : 10);
        String groupWait = System.getProperty("bench.detect.groupWait", "0s");
        DetectLatencyBenchmark.Result r =
                DetectLatencyBenchmark.run(work.resolve("detect-am"), reps, true, groupWait, log);
        Stats s = Stats.of(r.ours());
        results.figure("detect_latency_ms_p50_via_alertmanager", s, "ms");
        Stats b = Stats.of(r.base());
        results.figure("baseline_detect_latency_ms_p50_same_path", b, "ms");
        List<Double> ratios = new ArrayList<>();
        for (DetectLatencyBenchmark.Rep rep : r.reps()) {
            if (!Double.isNaN(rep.baselineMs()))
                ratios.add(rep.baselineMs() / Math.max(1, rep.oursMs()));
        }
        results.value(
                "detect_speedup_same_path",
                b.median() / Math.max(1, s.median()),
                Stats.of(ratios).spread("x (per repetition: baseline ÷ Streamwatch)"));
        results.detail("detect_same_path", DetectLatencyBenchmark.describe(r));
    }

    /** Collects figures and writes them in the shape of latest.json. */
    static final class Results {
        static final List<String> KEYS =
                List.of(
                        "listener_enqueue_ns_p50",
                        "listener_enqueue_ns_p99",
                        "listener_enqueue_query_ns_p50",
                        "listener_enqueue_query_ns_p99",
                        "listener_dropped_spark_events",
                        "ingest_events_per_second",
                        "detect_latency_ms_p50",
                        "detect_latency_ms_p99",
                        "baseline_detect_latency_ms_p50",
                        "detect_speedup_vs_prometheus_servlet",
                        "scrape_ms_5000_apps",
                        "heap_mb_5000_apps",
                        "kafka_lag_poll_ms_5000_partitions",
                        "scrape_ms_5000_apps_5000_queries",
                        "metrics_mb_5000_apps_5000_queries",
                        "heap_mb_5000_apps_5000_queries",
                        "service_cpu_cores_5000_apps_5000_queries",
                        "restart_s_5000_apps_5000_queries",
                        "detect_latency_ms_p50_via_alertmanager",
                        "baseline_detect_latency_ms_p50_same_path",
                        "detect_speedup_same_path");
        static final Map<String, String> SECTION_OF =
                Map.ofEntries(
                        Map.entry("listener_enqueue_ns_p50", "jmh"),
                        Map.entry("listener_enqueue_ns_p99", "jmh"),
                        Map.entry("listener_enqueue_query_ns_p50", "jmh"),
                        Map.entry("listener_enqueue_query_ns_p99", "jmh"),
                        Map.entry("listener_dropped_spark_events", "drops"),
                        Map.entry("ingest_events_per_second", "ingest"),
                        Map.entry("detect_latency_ms_p50", "detect"),
                        Map.entry("detect_latency_ms_p99", "detect"),
                        Map.entry("baseline_detect_latency_ms_p50", "detect"),
                        Map.entry("detect_speedup_vs_prometheus_servlet", "detect"),
                        Map.entry("scrape_ms_5000_apps", "scale"),
                        Map.entry("heap_mb_5000_apps", "scale"),
                        Map.entry("kafka_lag_poll_ms_5000_partitions", "kafka"),
                        Map.entry("scrape_ms_5000_apps_5000_queries", "scale10k"),
                        Map.entry("metrics_mb_5000_apps_5000_queries", "scale10k"),
                        Map.entry("heap_mb_5000_apps_5000_queries", "scale10k"),
                        Map.entry("service_cpu_cores_5000_apps_5000_queries", "scale10k"),
                        Map.entry("restart_s_5000_apps_5000_queries", "scale10k"),
                        Map.entry("detect_latency_ms_p50_via_alertmanager", "detect_am"),
                        Map.entry("baseline_detect_latency_ms_p50_same_path", "detect_am"),
                        Map.entry("detect_speedup_same_path", "detect_am"));

        private final Map<String, Object> root = new LinkedHashMap<>();
        private final Map<String, Object> spread = new LinkedHashMap<>();
        private final Map<String, Object> growth = new LinkedHashMap<>();
        private final Map<String, Object> details = new LinkedHashMap<>();
        private final Map<String, Object> sections = new LinkedHashMap<>();
        private final Map<String, String> notMeasured = new LinkedHashMap<>();
        private final boolean quick;
        private final String command;
        private final String loadAtStart = Machine.loadAverage();

        Results(boolean quick, String command) {
            this.quick = quick;
            this.command = command;
            for (String k : KEYS) root.put(k, null);
        }

        void figure(String key, Stats s, String unit) {
            value(key, s.median(), s.spread(unit));
        }

        void value(String key, double v, Map<String, Object> spreadOfIt) {
            root.put(key, Stats.round(v));
            spread.put(key, spreadOfIt);
        }

        void growth(String series, Object rows) {
            growth.put(series, rows);
        }

        void detail(String name, Object d) {
            details.put(name, d);
        }

        boolean anyFailed() {
            return details.keySet().stream().anyMatch(k -> k.endsWith("_error"));
        }

        void failed(String section, Throwable e) {
            for (String k : KEYS) {
                if (SECTION_OF.get(k).equals(section) && root.get(k) == null)
                    notMeasured.put(k, section + " failed: " + e);
            }
            details.put(section + "_error", String.valueOf(e));
        }

        void section(
                String name,
                String loadBefore,
                double busyBefore,
                String loadAfter,
                double seconds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("load_average_before", loadBefore);
            m.put("cpu_busy_share_2s_before", Stats.round(busyBefore));
            m.put("load_average_after", loadAfter);
            m.put("seconds", Stats.round(seconds));
            sections.put(name, m);
        }

        void finish(double seconds) {
            for (String k : KEYS) {
                if (root.get(k) == null && !notMeasured.containsKey(k))
                    notMeasured.put(k, "not run in this invocation (--only)");
            }
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("mode", quick ? "quick" : "full");
            run.put("command", command);
            run.put(
                    "date",
                    ZonedDateTime.now(ZoneOffset.UTC)
                            .withNano(0)
                            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            run.put("seconds", Stats.round(seconds));
            run.put("load_average_at_start", loadAtStart);
            run.put("load_average_at_end", Machine.loadAverage());
            run.put("sections", sections);
            root.put("spread", spread);
            root.put("growth", growth);
            root.put("targets", Targets.assess(root));
            root.put("not_measured", notMeasured);
            root.put("run", run);
            root.put("machine", Machine.facts());
            root.put("details", details);
        }

        Map<String, Object> json() {
            return root;
        }
    }
}
