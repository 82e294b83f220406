package io.streamwatch.service.metrics;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A measuring harness, not a test: fills a registry through the real ingest path with N apps, each
 * running a DStream stream and one Structured Streaming query with a Kafka source, and renders
 * /metrics, printing bytes and lines per family and the render time. Run with {@code java -cp <test
 * classpath> io.streamwatch.service.metrics.ExpositionHarness [apps] [batches]}.
 */
public final class ExpositionHarness {
    private ExpositionHarness() {}

    public static void main(String[] args) throws Exception {
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        MutableClock clock = MutableClock.atSystemTime();
        AppRegistry registry =
                new AppRegistry(
                        clock, 1000, apps + 10, Duration.ofSeconds(30), Duration.ofHours(1));
        EventParser parser = new EventParser(clock, 1000);
        long t0 = clock.millis() - batches * 1000L - 5000;
        for (int i = 0; i < apps; i++) {
            String app = String.format("scale-app-%05d", i);
            String qid = java.util.UUID.randomUUID().toString();
            String run = java.util.UUID.randomUUID().toString();
            Events e = Events.from(app, "app-" + i).streamingStarted(t0, 1000);
            e.queryStarted(t0, qid, run, "q", "processingTime", 1000L);
            for (int b = 0; b < batches; b++) {
                long bt = t0 + 1000L * (b + 1);
                long sec = bt / 1000;
                // The spread of bench/SimulatedDriver: 40-240 ms batches, 150-250 ms triggers.
                e.completed(bt, 5, 40 + sec % 200, 100 + sec % 50, null);
                e.queryProgress(bt + 500, qid, run, "q", b, bt, 100 + sec % 50, 150 + sec % 100)
                        .kafkaSource(app + "-in", 1000L * b);
                e.lastProgress().putObject("eventTime").put("watermark", bt - 10_000);
            }
            registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
        }
        AppMetricsCollector collector =
                new AppMetricsCollector(registry, clock, Duration.ofHours(1));
        try (ServiceMetrics metrics = new ServiceMetrics(registry, collector)) {
            byte[] body = null;
            java.lang.management.ThreadMXBean threads =
                    java.lang.management.ManagementFactory.getThreadMXBean();
            long bestCpu = Long.MAX_VALUE;
            long best = Long.MAX_VALUE;
            long total = 0;
            int runs = Integer.getInteger("runs", 10);
            for (int r = 0; r < runs; r++) {
                long s = System.nanoTime();
                long cpu = threads.getCurrentThreadCpuTime();
                body = metrics.scrape(System.getProperty("accept", "text/plain")).body();
                long d = System.nanoTime() - s;
                best = Math.min(best, d);
                bestCpu = Math.min(bestCpu, threads.getCurrentThreadCpuTime() - cpu);
                if (r >= runs / 2) total += d;
            }
            long ss = System.nanoTime();
            int n = registry.snapshots().size();
            System.out.printf(
                    "registry.snapshots() of %d apps: %.1f ms%n",
                    n, (System.nanoTime() - ss) / 1e6);
            String text = new String(body, StandardCharsets.UTF_8);
            Map<String, long[]> byFamily = new TreeMap<>();
            int lines = 0;
            for (String line : text.split("\n")) {
                lines++;
                if (line.equals("# EOF")) continue;
                String name = line.startsWith("#") ? line.split(" ")[2] : line.split("[{ ]")[0];
                name = name.replaceAll("_(bucket|sum|count)$", "");
                long[] c = byFamily.computeIfAbsent(name, k -> new long[2]);
                c[0]++;
                c[1] += line.length() + 1;
            }
            System.out.printf(
                    "apps=%d queries=%d bytes=%d (%.2f MB) lines=%d bytes/app+query=%d best=%.1f ms mean(last half)=%.1f ms best cpu=%.1f ms%n",
                    apps,
                    apps,
                    body.length,
                    body.length / 1e6,
                    lines,
                    body.length / apps,
                    best / 1e6,
                    total / 1e6 / (runs - runs / 2),
                    bestCpu / 1e6);
            byFamily.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                    .limit(Integer.getInteger("top", 12))
                    .forEach(
                            x ->
                                    System.out.printf(
                                            "  %-62s lines/app=%5.1f bytes/app=%6.0f%n",
                                            x.getKey(),
                                            x.getValue()[0] / (double) apps,
                                            x.getValue()[1] / (double) apps));
            if (System.getProperty("dump") != null) {
                java.nio.file.Files.write(java.nio.file.Path.of(System.getProperty("dump")), body);
            }
        }
    }
}
