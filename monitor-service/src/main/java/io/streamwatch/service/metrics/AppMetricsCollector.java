package io.streamwatch.service.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.Buckets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the per-app metrics of {@link MetricCatalogue} from state snapshots at scrape time.
 * Series are a view of state, not meters of their own: an app that has been silent or finished for
 * longer than {@code metrics.appRetention} simply stops being rendered, so its series disappear.
 */
public final class AppMetricsCollector implements MultiCollector {
    private static final double[] BOUNDS = withInf(Buckets.SECONDS);

    private static final Logger log = LoggerFactory.getLogger(AppMetricsCollector.class);

    /** The per-app series, the first block of the catalogue. */
    private static final List<String> NAMES =
            java.util.EnumSet.range(MetricCatalogue.APP_INFO, MetricCatalogue.LISTENER_DUPLICATES)
                    .stream()
                    .map(MetricCatalogue::baseName)
                    .toList();

    private final AppRegistry registry;
    private final Clock clock;
    private final long retentionMs;
    private final AtomicLong renderErrors = new AtomicLong();
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();

    public AppMetricsCollector(AppRegistry registry, Clock clock, Duration retention) {
        this.registry = registry;
        this.clock = clock;
        this.retentionMs = retention.toMillis();
    }

    private static double[] withInf(double[] bounds) {
        double[] b = new double[bounds.length + 1];
        System.arraycopy(bounds, 0, b, 0, bounds.length);
        b[bounds.length] = Double.POSITIVE_INFINITY;
        return b;
    }

    @Override
    public MetricSnapshots collect() {
        long now = clock.millis();
        Map<MetricCatalogue, MetricSnapshot.Builder<?>> out = new EnumMap<>(MetricCatalogue.class);
        for (AppSnapshot a : registry.snapshots()) {
            if (!a.up() && now - a.run().lastSeen() > retentionMs) continue;
            Points points = new Points();
            try {
                render(a, points);
            } catch (RuntimeException e) {
                // One app's data must not take /metrics down for every app.
                renderErrors.incrementAndGet();
                if (loggedFailures.add(a.app()) && loggedFailures.size() < 1000) {
                    log.warn(
                            "app '{}' left out of /metrics: its data cannot be rendered ({})",
                            a.app(),
                            e.toString());
                }
                continue;
            }
            points.addTo(out);
        }
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        for (MetricSnapshot.Builder<?> b : out.values()) {
            result.metricSnapshot(build(b));
        }
        return result.build();
    }

    /** Apps left out of a scrape because their data could not be rendered, since start. */
    public double renderErrors() {
        return renderErrors.get();
    }

    private static void render(AppSnapshot a, Points p) {
        Labels app = Labels.of("app", a.app());
        BatchRecord last = a.lastBatch();
        p.info(a);
        p.gauge(MetricCatalogue.APP_UP, app, a.up() ? 1 : 0);
        p.counter(MetricCatalogue.APP_RESTARTS, app, a.run().restarts());
        if (a.batchIntervalMs() != null) {
            p.gauge(MetricCatalogue.BATCH_INTERVAL, app, a.batchIntervalMs() / 1000.0);
        }
        if (last != null) {
            p.gauge(MetricCatalogue.LAST_BATCH_TIME, app, last.batchTime() / 1000.0);
            p.gauge(MetricCatalogue.LAST_SCHEDULING_DELAY, app, last.schedulingDelayMs() / 1000.0);
            p.gauge(MetricCatalogue.LAST_PROCESSING_TIME, app, last.processingTimeMs() / 1000.0);
            p.gauge(MetricCatalogue.LAST_TOTAL_DELAY, app, last.totalDelayMs() / 1000.0);
            p.gauge(MetricCatalogue.LAST_RECORDS, app, last.records());
        }
        if (a.inputRate() != null) p.gauge(MetricCatalogue.INPUT_RATE, app, a.inputRate());
        p.histogram(MetricCatalogue.PROCESSING_TIME, app, a.batches().processingTime());
        p.histogram(MetricCatalogue.TOTAL_DELAY, app, a.batches().totalDelay());
        p.counter(MetricCatalogue.BATCHES_COMPLETED, app, a.batches().completed());
        p.counter(MetricCatalogue.BATCHES_FAILED, app, a.batches().failed());
        p.counter(MetricCatalogue.RECORDS, app, a.batches().records());
        p.gauge(MetricCatalogue.WAITING_BATCHES, app, a.waitingBatches());
        p.gauge(MetricCatalogue.RECEIVERS_ACTIVE, app, a.receiversActive());
        p.counter(MetricCatalogue.RECEIVER_ERRORS, app, a.receiving().errors());
        if (a.rest().up() != null) p.gauge(MetricCatalogue.REST_UP, app, a.rest().up() ? 1 : 0);
        p.gauge(MetricCatalogue.APP_FINISHED, app, AppSnapshot.FINISHED.equals(a.state()) ? 1 : 0);
        p.gauge(MetricCatalogue.APP_LAST_SEEN, app, a.run().lastSeen() / 1000.0);
        p.counter(MetricCatalogue.LISTENER_DROPPED, app, a.listener().eventsDropped());
        p.counter(MetricCatalogue.LISTENER_LOST, app, a.listener().eventsLost());
        p.counter(MetricCatalogue.LISTENER_DUPLICATES, app, a.listener().duplicateEvents());
    }

    private static MetricSnapshot build(MetricSnapshot.Builder<?> b) {
        if (b instanceof GaugeSnapshot.Builder g) return g.build();
        if (b instanceof CounterSnapshot.Builder c) return c.build();
        if (b instanceof HistogramSnapshot.Builder h) return h.build();
        return ((InfoSnapshot.Builder) b).build();
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }

    /**
     * One app's data points, built (and so validated: a negative counter is refused here) before
     * any of them joins the scrape.
     */
    private static final class Points {
        private final List<Consumer<Map<MetricCatalogue, MetricSnapshot.Builder<?>>>> points =
                new ArrayList<>();

        void gauge(MetricCatalogue m, Labels labels, double v) {
            var p = GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(v).build();
            points.add(out -> builder(out, m, GaugeSnapshot::builder).dataPoint(p));
        }

        void counter(MetricCatalogue m, Labels labels, double v) {
            var p =
                    CounterSnapshot.CounterDataPointSnapshot.builder()
                            .labels(labels)
                            .value(v)
                            .build();
            points.add(out -> builder(out, m, CounterSnapshot::builder).dataPoint(p));
        }

        void histogram(MetricCatalogue m, Labels labels, Buckets.Snapshot h) {
            var p =
                    HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .labels(labels)
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, h.counts()))
                            .sum(h.sumSeconds())
                            .build();
            points.add(out -> builder(out, m, HistogramSnapshot::builder).dataPoint(p));
        }

        void info(AppSnapshot a) {
            var p =
                    InfoSnapshot.InfoDataPointSnapshot.builder()
                            .labels(
                                    Labels.of(
                                            "app", a.app(),
                                            "app_id", nz(a.run().appId()),
                                            "attempt_id", nz(a.run().attemptId()),
                                            "spark_version", nz(a.run().sparkVersion()),
                                            "ui_url", nz(a.run().uiUrl())))
                            .build();
            points.add(
                    out ->
                            builder(out, MetricCatalogue.APP_INFO, InfoSnapshot::builder)
                                    .dataPoint(p));
        }

        void addTo(Map<MetricCatalogue, MetricSnapshot.Builder<?>> out) {
            points.forEach(p -> p.accept(out));
        }
    }

    @SuppressWarnings("unchecked")
    private static <B extends MetricSnapshot.Builder<B>> B builder(
            Map<MetricCatalogue, MetricSnapshot.Builder<?>> out,
            MetricCatalogue m,
            java.util.function.Supplier<B> create) {
        return (B) out.computeIfAbsent(m, k -> create.get().name(k.baseName()).help(k.help()));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
