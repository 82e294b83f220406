package io.streamwatch.bench;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Loopback;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * {@code listener_dropped_spark_events}: a real local Spark Streaming app (250 ms batches, a
 * shuffle per batch, so the listener bus carries job, stage and task events too) with the listener
 * attached by configuration, pointed at a service URL that is first down (connection refused), then
 * hung (a socket that accepts and never answers, so every request waits for the listener's read
 * timeout), then back (the real service jar started on that port). Read at the end, after a clean
 * stop: Spark's own drop counters of its listener-bus queues ({@code LiveListenerBus} metrics
 * {@code queue.<name>.numDroppedEvents}, from {@code sc.listenerBus().metrics().metricRegistry()}),
 * Spark's own timer of the listener's callbacks ({@code listenerProcessingTime.<class>}), and
 * whether every batch reached the service.
 */
final class DroppedEventsBenchmark {
    static final String LISTENER_TIMER =
            "listenerProcessingTime.io.streamwatch.listener.StreamwatchListener";

    record Result(
            long sharedDropped,
            long allDropped,
            Map<String, Long> counters,
            long batchesCompleted,
            long batchesAtService,
            double listenerDroppedAtService,
            double listenerLostAtService,
            long callbackCount,
            double callbackMeanNs,
            double callbackP50Ns,
            double callbackP99Ns,
            double callbackMaxNs,
            double phaseSeconds) {}

    private DroppedEventsBenchmark() {}

    static Result run(Path dir, double phaseSeconds, Log log) throws Exception {
        String token = "bench-drops-" + System.nanoTime();
        int port = Loopback.freePort();
        String url = "http://127.0.0.1:" + port;
        String app = "drops-" + System.currentTimeMillis() % 100000;
        BenchStreamingApp.processingMs.set(20);
        BenchStreamingApp.Recorder recorder = new BenchStreamingApp.Recorder();
        JavaStreamingContext ssc =
                BenchStreamingApp.start(
                        BenchStreamingApp.conf("bench-drops", app, url, token), 250, recorder);
        MetricRegistry registry = ssc.sparkContext().sc().listenerBus().metrics().metricRegistry();
        ServiceProcess service = null;
        try {
            log.info("drops: service down (connection refused) for %.0f s", phaseSeconds);
            Await.sleep((long) (phaseSeconds * 1000));
            log.info("drops: service hung (accepts, never answers) for %.0f s", phaseSeconds);
            try (Blackhole hole = new Blackhole(port)) {
                Await.sleep((long) (phaseSeconds * 1000));
            }
            service =
                    ServiceProcess.in(dir)
                            .token(token)
                            .port(port)
                            .jvmArgs("-Xmx1g")
                            .requestTimeout(Duration.ofSeconds(60))
                            .yaml("")
                            .start();
            log.info("drops: service back on %s for %.0f s", url, phaseSeconds);
            Await.sleep((long) (phaseSeconds * 1000));
        } finally {
            ssc.stop(true, true);
        }
        try (ServiceProcess s = service) {
            Map<String, Long> counters = new LinkedHashMap<>();
            long all = 0;
            for (Map.Entry<String, Counter> e : registry.getCounters().entrySet()) {
                counters.put(e.getKey(), e.getValue().getCount());
                if (e.getKey().endsWith("numDroppedEvents")) all += e.getValue().getCount();
            }
            long shared = counters.getOrDefault("queue.shared.numDroppedEvents", -1L);
            SortedMap<String, Timer> timers =
                    registry.getTimers((name, metric) -> name.equals(LISTENER_TIMER));
            Timer t = timers.get(LISTENER_TIMER);
            Snapshot snap = t == null ? null : t.getSnapshot();
            long completed = recorder.completed.size();
            long atService =
                    Await.result(
                            Duration.ofSeconds(30),
                            Duration.ofMillis(500),
                            "every batch at the service",
                            () -> {
                                int n =
                                        s.json("/api/v1/apps/" + app + "/batches?limit=1000")
                                                .path("batches")
                                                .size();
                                return n >= completed ? (long) n : null;
                            });
            String metrics = s.metrics();
            Result r =
                    new Result(
                            shared,
                            all,
                            counters,
                            completed,
                            atService,
                            ServiceProcess.sample(
                                    metrics,
                                    "streamwatch_listener_events_dropped_total",
                                    "app=\"" + app + "\""),
                            ServiceProcess.sample(
                                    metrics,
                                    "streamwatch_listener_events_lost_total",
                                    "app=\"" + app + "\""),
                            t == null ? 0 : t.getCount(),
                            snap == null ? Double.NaN : snap.getMean(),
                            snap == null ? Double.NaN : snap.getMedian(),
                            snap == null ? Double.NaN : snap.get99thPercentile(),
                            snap == null ? Double.NaN : snap.getMax(),
                            phaseSeconds);
            log.info(
                    "drops: Spark dropped %d events on the shared queue (%d on all queues); %d batches completed, %d at the "
                            + "service; listener callback p50 %.0f ns, p99 %.0f ns over %d events (Spark's timer)",
                    shared,
                    all,
                    completed,
                    atService,
                    r.callbackP50Ns(),
                    r.callbackP99Ns(),
                    r.callbackCount());
            return r;
        }
    }

    /** Accepts connections on the port and never answers: a hung service. */
    private static final class Blackhole implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> held = new ArrayList<>();
        private final Thread acceptor;

        Blackhole(int port) throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            acceptor =
                    new Thread(
                            () -> {
                                while (!server.isClosed()) {
                                    try {
                                        Socket s = server.accept();
                                        synchronized (held) {
                                            held.add(s);
                                        }
                                    } catch (IOException e) {
                                        return;
                                    }
                                }
                            },
                            "bench-blackhole");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (held) {
                for (Socket s : held) s.close();
            }
        }
    }

    static Map<String, Object> describe(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shared_queue_dropped", r.sharedDropped());
        m.put("all_queues_dropped", r.allDropped());
        m.put("phase_seconds_each", r.phaseSeconds());
        m.put("phases", List.of("refused", "hung", "back"));
        m.put("batches_completed", r.batchesCompleted());
        m.put("batches_at_service", r.batchesAtService());
        m.put("listener_events_dropped_at_service", r.listenerDroppedAtService());
        m.put("listener_events_lost_at_service", r.listenerLostAtService());
        Map<String, Object> timer = new LinkedHashMap<>();
        timer.put("events", r.callbackCount());
        timer.put("mean_ns", Stats.round(r.callbackMeanNs()));
        timer.put("p50_ns", Stats.round(r.callbackP50Ns()));
        timer.put("p99_ns", Stats.round(r.callbackP99Ns()));
        timer.put("max_ns", Stats.round(r.callbackMaxNs()));
        m.put("spark_listener_processing_time", timer);
        m.put("spark_counters", r.counters());
        return m;
    }
}
