package io.streamwatch.bench;

import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Loopback;
import io.streamwatch.testkit.PrometheusProcess;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * {@code detect_latency_ms_*} and {@code baseline_detect_latency_ms_p50}. Each repetition is a
 * fresh real Spark Streaming app (1 s batches, listener attached by configuration) that runs
 * healthy (100 ms per batch), then is driven into overload (1.5 s per batch). The reference time is
 * Spark's {@code processingEndTime} of the batch that completes the third consecutive slow batch
 * (recorded in the driver by a StreamingListener); the end is the arrival of the {@code
 * StreamingBatchTooSlow} page at a loopback webhook. Both are read from this machine's clock, so no
 * clock offset enters.
 *
 * <p>The baseline runs in the same repetitions: Spark's built-in {@code PrometheusServlet} sink on
 * the driver, a real Prometheus scraping it every 15 s and evaluating every 15 s a rule on Spark's
 * own streaming gauge ({@code lastCompletedBatch_processingDelay > 1000}, no {@code for:} clause —
 * the most favourable rule for the baseline), a real Alertmanager with its default timers
 * (group_wait 30 s, group_interval 5 m, repeat_interval 4 h), and the same webhook. The metric
 * names carry the Spark app id (Spark's default {@code spark.metrics.namespace}), so the rule
 * extracts it into a {@code spark_app} label with {@code label_replace}; Alertmanager groups by it,
 * which makes every repetition a new alert group that waits group_wait, as a new incident does.
 *
 * <p>Same path ({@code groupWait} given): both Streamwatch (an {@code alertmanager} receiver) and
 * the baseline's Prometheus send to one real Alertmanager whose {@code group_wait} is {@code
 * groupWait} (the smallest it accepts), which notifies the one webhook; the comparison is then like
 * for like, each page having passed through the same Alertmanager, and each timed from the moment
 * its own rule's condition held: for Streamwatch the end of the third slow batch, for the
 * baseline's rule (one slow batch) the end of the first.
 */
final class DetectLatencyBenchmark {
    static final String ALERT = "StreamingBatchTooSlow";
    static final String BASELINE_ALERT = "SparkStreamingBatchTooSlow";
    static final long SLOW_MS = 1500;
    static final long HEALTHY_MS = 100;

    /** One repetition: latencies in ms (baseline NaN when not run). */
    record Rep(
            int rep,
            String app,
            double oursMs,
            double baselineMs,
            long thirdSlowEnd,
            long oursAt,
            long baselineAt) {}

    record Result(List<Rep> reps, boolean baseline, String alertmanagerTimers) {
        List<Double> ours() {
            return reps.stream().map(Rep::oursMs).toList();
        }

        List<Double> base() {
            return reps.stream().map(Rep::baselineMs).filter(d -> !Double.isNaN(d)).toList();
        }
    }

    private DetectLatencyBenchmark() {}

    static Result run(Path dir, int reps, boolean baseline, Log log) throws Exception {
        return run(dir, reps, baseline, null, log);
    }

    /**
     * @param groupWait null: Streamwatch pages the webhook directly and the baseline's Alertmanager
     *     keeps its default timers; else both go through one Alertmanager with this group_wait
     */
    static Result run(Path dir, int reps, boolean baseline, String groupWait, Log log)
            throws Exception {
        String token = "bench-detect-" + System.nanoTime();
        int uiPort = Loopback.freePort();
        boolean samePath = groupWait != null;
        String timers =
                samePath
                        ? "group_wait " + groupWait + ", group_interval 5m, repeat_interval 4h"
                        : "group_wait 30s, group_interval 5m, repeat_interval 4h";
        try (WebhookReceiver hook = WebhookReceiver.start();
                PrometheusProcess am =
                        baseline || samePath
                                ? PrometheusProcess.alertmanager(
                                        dir.resolve("am"),
                                        amConfig(dir, hook, samePath ? "/am" : "/baseline", timers))
                                : null;
                ServiceProcess service =
                        ServiceProcess.in(dir.resolve("service"))
                                .token(token)
                                .jvmArgs("-Xmx1g")
                                .requestTimeout(Duration.ofSeconds(60))
                                .yaml(
                                        samePath
                                                ? "alerting: { receivers: [ { type: alertmanager, url: \""
                                                        + am.base()
                                                        + "\" } ] }\n"
                                                : "alerting: { receivers: [ { type: webhook, url: \""
                                                        + hook.url("/ours")
                                                        + "\" } ] }\n")
                                .start();
                PrometheusProcess prom =
                        baseline
                                ? PrometheusProcess.prometheus(
                                        dir.resolve("prom"), promConfig(dir, am, uiPort))
                                : null) {
            List<Rep> done = new ArrayList<>();
            String oursPath = samePath ? "/am" : "/ours";
            String basePath = samePath ? "/am" : "/baseline";
            for (int r = 1; r <= reps; r++) {
                done.add(
                        rep(
                                r, service, hook, oursPath, basePath, prom, uiPort, token, samePath,
                                log));
            }
            return new Result(
                    done,
                    baseline,
                    timers
                            + (samePath
                                    ? " (one Alertmanager for both paths, smallest group_wait it accepts)"
                                    : " (Alertmanager defaults)"));
        }
    }

    private static Rep rep(
            int r,
            ServiceProcess service,
            WebhookReceiver hook,
            String oursPath,
            String basePath,
            PrometheusProcess prom,
            int uiPort,
            String token,
            boolean samePath,
            Log log) {
        String app = "detect-rep-" + r + "-" + System.currentTimeMillis() % 100000;
        SparkConf conf =
                BenchStreamingApp.conf("bench-detect", app, service.url(), token)
                        .set("spark.master", "local[2]")
                        .set("spark.ui.port", Integer.toString(uiPort))
                        .set("spark.ui.prometheus.enabled", "true")
                        .set(
                                "spark.metrics.conf.*.sink.prometheusServlet.class",
                                "org.apache.spark.metrics.sink.PrometheusServlet")
                        .set(
                                "spark.metrics.conf.*.sink.prometheusServlet.path",
                                "/metrics/prometheus");
        BenchStreamingApp.processingMs.set(HEALTHY_MS);
        BenchStreamingApp.Recorder recorder = new BenchStreamingApp.Recorder();
        JavaStreamingContext ssc = BenchStreamingApp.start(conf, 1000, recorder);
        try {
            String sparkApp =
                    ssc.sparkContext().sc().applicationId().replaceAll("[^a-zA-Z0-9]", "_");
            Await.result(
                    Duration.ofSeconds(60),
                    "3 healthy batches",
                    () -> recorder.completed.size() >= 3 ? true : null);
            // A random wait of 0–15 s, so that the overload starts at a random phase of Prometheus'
            // 15 s scrape and
            // evaluation cycles (otherwise each repetition, dominated by those cycles, would lock
            // onto one phase).
            Await.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(15_000));
            int healthy = recorder.completed.size();
            BenchStreamingApp.processingMs.set(SLOW_MS);
            Await.result(
                    Duration.ofSeconds(60),
                    "Streamwatch to page " + ALERT + " for " + app,
                    () -> hook.firstFiring(oursPath, ALERT, "app", app).orElse(null));
            Optional<WebhookReceiver.Alert> base = Optional.empty();
            if (prom != null) {
                base =
                        Optional.of(
                                Await.result(
                                        Duration.ofSeconds(150),
                                        Duration.ofMillis(200),
                                        "the baseline page for " + sparkApp,
                                        () ->
                                                hook.firstFiring(
                                                                basePath,
                                                                BASELINE_ALERT,
                                                                "spark_app",
                                                                sparkApp)
                                                        .orElse(null)));
            }
            List<BenchStreamingApp.Recorder.Completed> slow =
                    recorder.completed.subList(healthy, recorder.completed.size());
            long ref = thirdSlowEnd(slow);
            // Same path: each page is timed from the moment its own rule's condition held. The
            // baseline's rule fires on one slow batch, so with group_wait at its smallest its page
            // can arrive before the third slow batch ends (a negative latency, as the first same-
            // path run showed); with the default 30 s group_wait that never shows.
            long baseRef = samePath ? firstSlowEnd(slow) : ref;
            long oursAt =
                    hook.firstFiring(oursPath, ALERT, "app", app).orElseThrow().receivedAtMs();
            long baseAt = base.map(WebhookReceiver.Alert::receivedAtMs).orElse(-1L);
            Rep rep =
                    new Rep(
                            r,
                            app,
                            oursAt - ref,
                            baseAt < 0 ? Double.NaN : baseAt - baseRef,
                            ref,
                            oursAt,
                            baseAt);
            log.info(
                    "detect rep %d: Streamwatch %d ms%s",
                    r,
                    oursAt - ref,
                    baseAt < 0 ? "" : ", PrometheusServlet baseline " + (baseAt - baseRef) + " ms");
            return rep;
        } finally {
            BenchStreamingApp.processingMs.set(0);
            ssc.stop(true, false);
        }
    }

    /** Spark's processingEndTime of the first completed batch slower than 1 s. */
    static long firstSlowEnd(List<BenchStreamingApp.Recorder.Completed> batches) {
        for (BenchStreamingApp.Recorder.Completed b : batches) {
            if (b.processingMs() > 1000) return b.processingEndTime();
        }
        throw new IllegalStateException("no slow batch among " + batches);
    }

    /**
     * Spark's processingEndTime of the third of the first three consecutive completed batches
     * slower than 1 s.
     */
    static long thirdSlowEnd(List<BenchStreamingApp.Recorder.Completed> batches) {
        int run = 0;
        for (BenchStreamingApp.Recorder.Completed b : batches) {
            run = b.processingMs() > 1000 ? run + 1 : 0;
            if (run == 3) return b.processingEndTime();
        }
        throw new IllegalStateException("no three consecutive slow batches among " + batches);
    }

    private static Path amConfig(Path dir, WebhookReceiver hook, String path, String timers)
            throws Exception {
        String[] t = timers.split(", ");
        Files.createDirectories(dir);
        Path p = dir.resolve("alertmanager.yml");
        Files.writeString(
                p,
                """
                route:
                  receiver: hook
                  group_by: ['alertname', 'spark_app', 'app']
                  %s
                  %s
                  %s
                receivers:
                  - name: hook
                    webhook_configs:
                      - url: '%s'
                        send_resolved: true
                """
                        .formatted(
                                t[0].replace(" ", ": "),
                                t[1].replace(" ", ": "),
                                t[2].replace(" ", ": "),
                                hook.url(path)));
        return p;
    }

    private static Path promConfig(Path dir, PrometheusProcess am, int uiPort) throws Exception {
        Files.createDirectories(dir);
        Path rules = dir.resolve("spark-servlet-rules.yml");
        Files.writeString(
                rules,
                """
                groups:
                  - name: spark-prometheus-servlet
                    rules:
                      - alert: %s
                        expr: >-
                          label_replace(
                            {__name__=~"metrics_.+_driver_bench_detect_StreamingMetrics_streaming_lastCompletedBatch_processingDelay_Value"},
                            "spark_app", "$1", "__name__", "metrics_(.+)_driver_bench_detect_StreamingMetrics_.*"
                          ) > 1000
                        labels: { severity: warning }
                        annotations: { summary: "last completed batch took longer than the 1 s batch interval" }
                """
                        .formatted(BASELINE_ALERT));
        Path p = dir.resolve("prometheus.yml");
        Files.writeString(
                p,
                """
                global:
                  scrape_interval: 15s
                  evaluation_interval: 15s
                rule_files: ['%s']
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['%s']
                scrape_configs:
                  - job_name: spark-driver
                    metrics_path: /metrics/prometheus
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """
                        .formatted(rules, am.base().substring("http://".length()), uiPort));
        return p;
    }

    static Map<String, Object> describe(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> reps = new ArrayList<>();
        for (Rep rep : r.reps()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("app", rep.app());
            x.put("streamwatch_ms", rep.oursMs());
            x.put("baseline_ms", Double.isNaN(rep.baselineMs()) ? null : rep.baselineMs());
            reps.add(x);
        }
        m.put("repetitions", reps);
        m.put("baseline_alertmanager", r.alertmanagerTimers());
        m.put(
                "baseline_prometheus",
                "scrape_interval 15s, evaluation_interval 15s, rule without for:");
        return m;
    }
}
