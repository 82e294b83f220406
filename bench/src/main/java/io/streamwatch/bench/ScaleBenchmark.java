package io.streamwatch.bench;

import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scrape_ms_<N>_apps} and {@code heap_mb_<N>_apps}: N simulated apps report a healthy 1 s
 * batch every second (one request with batchSubmitted, batchStarted and batchCompleted, as the
 * listener sends it) to the service jar. First each app's batch history is filled to {@code
 * prefillBatches} (the default {@code storage.historyBatches} is 1000, so a full run measures the
 * steady state of a service that has run for 17 minutes and more). During the live phase {@code GET
 * /metrics} is timed as Prometheus would scrape it (whole body read); at the end, with the load
 * still running, {@code jcmd PID GC.run} then {@code jcmd PID GC.heap_info} gives the heap in use
 * after a full GC.
 */
final class ScaleBenchmark {
    private static final Pattern HEAP_USED =
            Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

    record Result(
            int apps,
            Stats scrapeMs,
            Stats heapMb,
            double metricsBytes,
            long metricsLines,
            double requestsPerSecond,
            double targetRequestsPerSecond,
            double ingestP50Ms,
            double ingestP99Ms,
            long errors,
            long prefillEvents,
            double prefillSeconds,
            double liveSeconds,
            String xmx,
            double serviceCores,
            double generatorCores,
            int backlogAtEnd) {}

    /**
     * One {@code GET /metrics} in the text format, as Prometheus scrapes it, the whole body read.
     *
     * @throws IllegalStateException when it does not answer 200 (the service log is in {@code dir})
     */
    static HttpResponse<byte[]> scrape(HttpClient scraper, String serviceUrl, Path dir)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> r =
                scraper.send(
                        HttpRequest.newBuilder(URI.create(serviceUrl + "/metrics"))
                                .header("Accept", "text/plain;version=0.0.4")
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200)
            throw new IllegalStateException(
                    "/metrics answered " + r.statusCode() + "; see the service log in " + dir);
        return r;
    }

    private ScaleBenchmark() {}

    static Result run(
            Path dir,
            int apps,
            int prefillBatches,
            double liveSeconds,
            int scrapes,
            String xmx,
            Log log)
            throws Exception {
        String token = "bench-scale-" + System.nanoTime();
        try (ServiceProcess service =
                        ServiceProcess.in(dir)
                                .token(token)
                                .jvmArgs("-Xmx" + xmx)
                                .requestTimeout(Duration.ofSeconds(60))
                                .yaml("")
                                .start();
                IngestClient client = new IngestClient(service.url(), token, 256, 4)) {
            long now = System.currentTimeMillis();
            List<SimulatedDriver> sims = new ArrayList<>();
            for (int i = 0; i < apps; i++) {
                sims.add(
                        new SimulatedDriver(
                                String.format("scale-app-%05d", i),
                                now - prefillBatches * SimulatedDriver.INTERVAL_MS));
            }
            // 1. Fill every app's history.
            Prefill p = prefill(client, sims, prefillBatches, IngestThroughput.EVENTS_PER_REQUEST);
            AtomicLong prefilled = new AtomicLong(p.events());
            double prefillSeconds = p.seconds();
            log.info(
                    "scale %d apps: history filled with %d batches each in %.1f s (%.0f events/s)",
                    apps,
                    prefillBatches,
                    prefillSeconds,
                    prefilled.get() / Math.max(prefillSeconds, 1e-9));

            // 2. Live: one request per app per second, spread evenly; scrapes meanwhile.
            Live live = new Live(service, sims, Math.min(apps, 400));
            Thread driver = new Thread(live, "bench-scale-live");
            driver.setDaemon(true);
            driver.start();
            List<Double> scrapeMs = new ArrayList<>();
            double metricsBytes = 0;
            long metricsLines = 0;
            HttpClient scraper =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long liveStart = System.nanoTime();
            double serviceCpu0 = Machine.cpuSeconds(service.pid());
            double selfCpu0 = Machine.cpuSeconds(ProcessHandle.current().pid());
            Await.sleep(Math.min(10_000, (long) (liveSeconds * 1000 / (scrapes + 1))));
            for (int s = 0; s < scrapes; s++) {
                long target = liveStart + (long) ((s + 1) * liveSeconds * 1e9 / (scrapes + 1));
                long wait = TimeUnit.NANOSECONDS.toMillis(target - System.nanoTime());
                if (wait > 0) Await.sleep(wait);
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = scrape(scraper, service.url(), dir);
                double ms = (System.nanoTime() - t0) / 1e6;
                scrapeMs.add(ms);
                metricsBytes = r.body().length;
                metricsLines = countLines(r.body());
            }
            long remaining =
                    TimeUnit.NANOSECONDS.toMillis(
                            liveStart + (long) (liveSeconds * 1e9) - System.nanoTime());
            if (remaining > 0) Await.sleep(remaining);
            double liveCpuSeconds = (System.nanoTime() - liveStart) / 1e9;
            double serviceCores =
                    (Machine.cpuSeconds(service.pid()) - serviceCpu0) / liveCpuSeconds;
            double generatorCores =
                    (Machine.cpuSeconds(ProcessHandle.current().pid()) - selfCpu0) / liveCpuSeconds;
            // 3. Heap after a full GC, three times, the load still running.
            List<Double> heapMb = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                heapMb.add(heapAfterGcMb(service.pid()));
                if (i < 2) Await.sleep(5000);
            }
            int backlog = live.backlog();
            live.stop();
            driver.join(30_000);
            double liveElapsed = (System.nanoTime() - liveStart) / 1e9;
            List<Double> lat = live.latenciesMs();
            Result result =
                    new Result(
                            apps,
                            Stats.of(scrapeMs),
                            Stats.of(heapMb),
                            metricsBytes,
                            metricsLines,
                            live.ok.get() / live.seconds(),
                            apps,
                            lat.isEmpty() ? Double.NaN : Stats.percentileOf(lat, 50),
                            lat.isEmpty() ? Double.NaN : Stats.percentileOf(lat, 99),
                            live.errors.get(),
                            prefilled.get(),
                            prefillSeconds,
                            liveElapsed,
                            xmx,
                            serviceCores,
                            generatorCores,
                            backlog);
            live.logErrors(log, "scale " + apps + " apps");
            log.info(
                    "scale %d apps: scrape %.0f ms (%.1f MB, %d lines), heap after GC %.0f MB, ingest %.0f req/s of %d "
                            + "(p99 %.0f ms, %d errors); CPU cores: service %.2f, load generator %.2f",
                    apps,
                    result.scrapeMs().median(),
                    metricsBytes / 1e6,
                    metricsLines,
                    result.heapMb().median(),
                    result.requestsPerSecond(),
                    apps,
                    result.ingestP99Ms(),
                    result.errors(),
                    serviceCores,
                    generatorCores);
            return result;
        }
    }

    /** What filling the history took: events accepted and seconds. */
    record Prefill(long events, double seconds) {}

    /**
     * Sends each driver's next {@code batches} batches as catch-up requests of at most {@code
     * eventsPerRequest} batches (a driver with a query sends a progress with each), every driver in
     * turn; fails on the first refused request.
     */
    static Prefill prefill(
            IngestClient client, List<SimulatedDriver> sims, int batches, int batchesPerRequest) {
        long prefillStart = System.nanoTime();
        AtomicLong prefilled = new AtomicLong();
        AtomicLong prefillErrors = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> firstError =
                new java.util.concurrent.atomic.AtomicReference<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int left = batches; left > 0; left -= batchesPerRequest) {
            int n = Math.min(left, batchesPerRequest);
            for (SimulatedDriver d : sims) {
                pending.add(
                        postRetrying(client, d.completedBatches(n, System.currentTimeMillis()))
                                .thenAccept(
                                        a -> {
                                            prefilled.addAndGet(a.accepted());
                                            if (a.status() != 200) {
                                                prefillErrors.incrementAndGet();
                                                firstError.compareAndSet(
                                                        null, a.status() + " " + a.body());
                                            }
                                        }));
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
            pending.clear();
        }
        double seconds = (System.nanoTime() - prefillStart) / 1e9;
        if (prefillErrors.get() > 0)
            throw new IllegalStateException(
                    prefillErrors.get() + " prefill requests failed, e.g. " + firstError.get());
        return new Prefill(prefilled.get(), seconds);
    }

    /**
     * Posts {@code body}; a 503 (the service's concurrency cap) is sent again after its {@code
     * Retry-After} of 1 s, as the listener does.
     */
    static CompletableFuture<IngestClient.Answer> postRetrying(IngestClient client, byte[] body) {
        return client.post(body)
                .thenCompose(
                        a ->
                                a.status() != 503
                                        ? CompletableFuture.completedFuture(a)
                                        : CompletableFuture.supplyAsync(
                                                        () -> body,
                                                        CompletableFuture.delayedExecutor(
                                                                1, TimeUnit.SECONDS))
                                                .thenCompose(b -> postRetrying(client, b)));
    }

    static long countLines(byte[] body) {
        long n = 0;
        for (byte b : body) if (b == '\n') n++;
        return n;
    }

    /**
     * {@code jcmd PID GC.run}, then the heap's "used" from {@code jcmd PID GC.heap_info}, in MB.
     */
    static double heapAfterGcMb(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find())
            throw new IllegalStateException("cannot read the heap from jcmd GC.heap_info: " + info);
        return Long.parseLong(m.group(2)) / 1024.0;
    }

    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p =
                new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new IllegalStateException("jcmd " + command + ": " + out);
        return out;
    }

    /**
     * Sends one batch per app per second, spread evenly over the second, until stopped: a scheduler
     * hands due apps to {@code workers} threads, each with its own keep-alive connection (as each
     * driver has its own), so up to that many requests are in flight. A request that is not
     * answered before the app's next batch is due delays it (a listener keeps one request in
     * flight), and the achieved rate shows it.
     */
    static final class Live implements Runnable {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong errors = new AtomicLong();

        /** The errors by HTTP status (-1: no answer, an I/O failure), for the log. */
        private final Map<Integer, AtomicLong> errorStatuses = new ConcurrentSkipListMap<>();

        final AtomicLong rejected = new AtomicLong();
        private final List<SimulatedDriver> sims;
        private final List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.BlockingQueue<Integer> due =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final List<Thread> workers = new ArrayList<>();
        private final String host;
        private final int port;
        private final String token;
        private volatile boolean running = true;
        private volatile long startNanos;
        private volatile long endNanos;

        Live(ServiceProcess service, List<SimulatedDriver> sims, int workerCount) {
            this.sims = sims;
            this.host = "127.0.0.1";
            this.port = service.port();
            this.token = service.token();
            for (int i = 0; i < workerCount; i++) {
                Thread t = new Thread(this::work, "bench-scale-worker-" + i);
                t.setDaemon(true);
                workers.add(t);
            }
        }

        private void work() {
            try (BlockingPoster poster = new BlockingPoster(host, port, token)) {
                while (running) {
                    Integer i = due.poll(100, TimeUnit.MILLISECONDS);
                    if (i == null) continue;
                    SimulatedDriver d = sims.get(i);
                    IngestClient.Answer a;
                    synchronized (d) {
                        byte[] body = d.oneBatch(System.currentTimeMillis());
                        a = poster.post(body);
                        // 503 (ingest.maxConcurrentRequests): retry after 1 s, as the listener does
                        while (a.status() == 503 && running) {
                            rejected.incrementAndGet();
                            Await.sleep(1000);
                            a = poster.post(body);
                        }
                    }
                    if (a.status() == 200) {
                        ok.incrementAndGet();
                        if (latencies.size() < 2_000_000) latencies.add(a.nanos() / 1e6);
                    } else if (a.status() != 503) {
                        // a 503 here was waiting for its retry when the run stopped: not an error
                        errors.incrementAndGet();
                        errorStatuses
                                .computeIfAbsent(a.status(), s -> new AtomicLong())
                                .incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            workers.forEach(Thread::start);
            startNanos = System.nanoTime();
            long sent = 0;
            int n = sims.size();
            while (running) {
                long dueNow = (long) ((System.nanoTime() - startNanos) / 1e9 * n);
                while (sent < dueNow) {
                    due.add((int) (sent % n));
                    sent++;
                }
                Await.sleep(5);
            }
            endNanos = System.nanoTime();
        }

        int backlog() {
            return due.size();
        }

        /** Logs the errors by HTTP status, when there were any. */
        void logErrors(Log log, String section) {
            if (errors.get() > 0) log.info("%s: errors by status: %s", section, errorStatuses);
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread t : workers) t.join(70_000);
        }

        double seconds() {
            long end = endNanos == 0 ? System.nanoTime() : endNanos;
            return (end - startNanos) / 1e9;
        }

        List<Double> latenciesMs() {
            synchronized (latencies) {
                return new ArrayList<>(latencies);
            }
        }
    }

    static Map<String, Object> describe(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apps", r.apps());
        m.put("scrape_ms", Stats.round(r.scrapeMs().median()));
        m.put("scrape_ms_spread", r.scrapeMs().spread("ms"));
        m.put("heap_mb", Stats.round(r.heapMb().median()));
        m.put("heap_mb_spread", r.heapMb().spread("MB"));
        m.put("metrics_bytes", (long) r.metricsBytes());
        m.put("metrics_lines", r.metricsLines());
        m.put("ingest_requests_per_second", Stats.round(r.requestsPerSecond()));
        m.put("ingest_requests_per_second_target", r.targetRequestsPerSecond());
        m.put("ingest_request_ms_p50", Stats.round(r.ingestP50Ms()));
        m.put("ingest_request_ms_p99", Stats.round(r.ingestP99Ms()));
        m.put("ingest_errors", r.errors());
        m.put("history_batches_per_app", r.prefillEvents() / Math.max(1, r.apps()));
        m.put("prefill_seconds", Stats.round(r.prefillSeconds()));
        m.put("live_seconds", Stats.round(r.liveSeconds()));
        m.put("service_xmx", r.xmx());
        m.put("service_cpu_cores_during_live_phase", Stats.round(r.serviceCores()));
        m.put("load_generator_cpu_cores_during_live_phase", Stats.round(r.generatorCores()));
        m.put("requests_due_not_yet_sent_at_end", r.backlogAtEnd());
        m.put(
                "load_generator",
                "up to "
                        + Math.min(r.apps(), 400)
                        + " blocking keep-alive connections, one request in flight each");
        return m;
    }
}
