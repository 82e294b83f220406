package io.streamwatch.bench;

import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ChildProcess;
import io.streamwatch.testkit.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code *_5000_apps_5000_queries} figures of issue 15: N simulated drivers, each running a
 * DStream stream (1 s batches) and one Structured Streaming query (1 s trigger), each sending one
 * request a second with its batch and its query's progress. First every app's batch history and
 * every query's micro-batch history is filled to {@code prefill}; then, in the steady state, one
 * {@code GET /metrics} every {@code scrapeEverySeconds} is timed (whole body read) while the
 * service's CPU is read from {@code /proc/PID/stat}; then the heap after a full GC (three times,
 * the load still running); last the service is stopped cleanly (SIGTERM) and started again on the
 * same store, timed from launch to {@code /readyz} 200.
 */
final class AppsAndQueriesBenchmark {
    /** Figures of one run. */
    record Result(
            int apps,
            Stats scrapeMs,
            Stats heapMb,
            double metricsBytes,
            long metricsLines,
            double serviceCores,
            double generatorCores,
            double steadySeconds,
            double requestsPerSecond,
            double ingestP50Ms,
            double ingestP99Ms,
            long errors,
            long rejected,
            int prefill,
            long prefillEvents,
            double prefillSeconds,
            double restartSeconds,
            String xmx,
            int backlogAtEnd) {}

    private AppsAndQueriesBenchmark() {}

    static Result run(
            Path dir,
            int apps,
            int prefill,
            double steadySeconds,
            double scrapeEverySeconds,
            String xmx,
            Log log)
            throws Exception {
        String token = "bench-apps-queries-" + System.nanoTime();
        ServiceProcess.Builder builder =
                ServiceProcess.in(dir)
                        .token(token)
                        .jvmArgs("-Xmx" + xmx)
                        .requestTimeout(Duration.ofSeconds(60))
                        .yaml("");
        ServiceProcess service = builder.start();
        int port = service.port();
        log.info("apps+queries %d: service pid %d on port %d", apps, service.pid(), port);
        Stats scrapeMs;
        Stats heapMb;
        double bytes = 0;
        long lines = 0;
        double serviceCores;
        double generatorCores;
        double steady;
        ScaleBenchmark.Prefill filled;
        ScaleBenchmark.Live live;
        try (IngestClient client = new IngestClient(service.url(), token, 16, 4)) {
            long now = System.currentTimeMillis();
            List<SimulatedDriver> sims = new ArrayList<>();
            for (int i = 0; i < apps; i++) {
                sims.add(
                        new SimulatedDriver(
                                String.format("sq-app-%05d", i),
                                now - prefill * SimulatedDriver.INTERVAL_MS,
                                true));
            }
            filled = ScaleBenchmark.prefill(client, sims, Math.max(prefill, 1), 200);
            log.info(
                    "apps+queries %d: %d batches and %d micro-batches per app filled in %.1f s (%.0f events/s)",
                    apps,
                    prefill,
                    prefill,
                    filled.seconds(),
                    filled.events() / Math.max(filled.seconds(), 1e-9));

            live = new ScaleBenchmark.Live(service, sims, Math.min(apps, 400));
            Thread driver = new Thread(live, "bench-apps-queries-live");
            driver.setDaemon(true);
            driver.start();
            // JIT and connection warm-up before the steady window
            Await.sleep(Long.getLong("bench.scale10k.warmupMs", 10_000));
            HttpClient scraper =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<Double> scrapes = new ArrayList<>();
            long start = System.nanoTime();
            double serviceCpu0 = Machine.cpuSeconds(service.pid());
            double selfCpu0 = Machine.cpuSeconds(ProcessHandle.current().pid());
            long end = start + (long) (steadySeconds * 1e9);
            for (long next = start; next < end; next += (long) (scrapeEverySeconds * 1e9)) {
                long wait = TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime());
                if (wait > 0) Await.sleep(wait);
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = ScaleBenchmark.scrape(scraper, service.url(), dir);
                double ms = (System.nanoTime() - t0) / 1e6;
                scrapes.add(ms);
                bytes = r.body().length;
                lines = ScaleBenchmark.countLines(r.body());
            }
            long remaining = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (remaining > 0) Await.sleep(remaining);
            steady = (System.nanoTime() - start) / 1e9;
            serviceCores = (Machine.cpuSeconds(service.pid()) - serviceCpu0) / steady;
            generatorCores =
                    (Machine.cpuSeconds(ProcessHandle.current().pid()) - selfCpu0) / steady;
            scrapeMs = Stats.of(scrapes);
            List<Double> heap = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                heap.add(ScaleBenchmark.heapAfterGcMb(service.pid()));
                if (i < 2) Await.sleep(5000);
            }
            heapMb = Stats.of(heap);
            live.stop();
            driver.join(30_000);
        } finally {
            service.close();
        }
        double restart = restartSeconds(builder.port(port), port);
        List<Double> lat = live.latenciesMs();
        Result r =
                new Result(
                        apps,
                        scrapeMs,
                        heapMb,
                        bytes,
                        lines,
                        serviceCores,
                        generatorCores,
                        steady,
                        live.ok.get() / live.seconds(),
                        lat.isEmpty() ? Double.NaN : Stats.percentileOf(lat, 50),
                        lat.isEmpty() ? Double.NaN : Stats.percentileOf(lat, 99),
                        live.errors.get(),
                        live.rejected.get(),
                        prefill,
                        filled.events(),
                        filled.seconds(),
                        restart,
                        xmx,
                        live.backlog());
        live.logErrors(log, "apps+queries " + apps);
        log.info(
                "apps+queries %d: scrape %.0f ms (%.1f MB, %d lines), heap after GC %.0f MB, service CPU %.2f cores"
                        + " (load generator %.2f), ingest %.0f req/s of %d (p99 %.0f ms, %d errors, %d 503s), restart %.1f s",
                apps,
                scrapeMs.median(),
                bytes / 1e6,
                lines,
                heapMb.median(),
                serviceCores,
                generatorCores,
                r.requestsPerSecond(),
                apps,
                r.ingestP99Ms(),
                r.errors(),
                r.rejected(),
                restart);
        return r;
    }

    /** Starts the service on the store it left, polls {@code /readyz}, stops it; seconds. */
    private static double restartSeconds(ServiceProcess.Builder builder, int port)
            throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest readyz =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                        .timeout(Duration.ofSeconds(5))
                        .build();
        long t0 = System.nanoTime();
        try (ChildProcess p = builder.launch()) {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(600);
            while (System.nanoTime() < deadline) {
                if (!p.alive())
                    throw new IllegalStateException("the restarted service exited: " + p.tail(20));
                try {
                    if (http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode()
                            == 200) return (System.nanoTime() - t0) / 1e9;
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                Await.sleep(50);
            }
            throw new IllegalStateException(
                    "the restarted service was not ready in 600 s: " + p.tail(20));
        }
    }

    static Map<String, Object> describe(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apps", r.apps());
        m.put("queries", r.apps());
        m.put("scrape_ms", Stats.round(r.scrapeMs().median()));
        m.put("scrape_ms_spread", r.scrapeMs().spread("ms"));
        m.put("metrics_bytes", (long) r.metricsBytes());
        m.put("metrics_lines", r.metricsLines());
        m.put("heap_mb", Stats.round(r.heapMb().median()));
        m.put("heap_mb_spread", r.heapMb().spread("MB"));
        m.put("service_cpu_cores", Stats.round(r.serviceCores()));
        m.put("load_generator_cpu_cores", Stats.round(r.generatorCores()));
        m.put("steady_seconds", Stats.round(r.steadySeconds()));
        m.put("restart_s", Stats.round(r.restartSeconds()));
        m.put("ingest_requests_per_second", Stats.round(r.requestsPerSecond()));
        m.put("ingest_requests_per_second_target", r.apps());
        m.put("ingest_request_ms_p50", Stats.round(r.ingestP50Ms()));
        m.put("ingest_request_ms_p99", Stats.round(r.ingestP99Ms()));
        m.put("ingest_errors", r.errors());
        m.put("ingest_503_retried_after_1s", r.rejected());
        m.put("history_batches_and_micro_batches_per_app", r.prefill());
        m.put("prefill_events", r.prefillEvents());
        m.put("prefill_seconds", Stats.round(r.prefillSeconds()));
        m.put("service_xmx", r.xmx());
        m.put("requests_due_not_yet_sent_at_end", r.backlogAtEnd());
        return m;
    }
}
