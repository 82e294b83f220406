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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Renders the per-app metrics of {@link MetricCatalogue} from state snapshots at scrape time.
 * Series are a view of state, not meters of their own: an app that has been silent or finished for
 * longer than {@code metrics.appRetention} simply stops being rendered, so its series disappear.
 */
public final class AppMetricsCollector implements MultiCollector {
    private static final double[] BOUNDS = withInf(Buckets.SECONDS);

    private final AppRegistry registry;
    private final Clock clock;
    private final long retentionMs;

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
        List<AppSnapshot> apps =
                registry.snapshots().stream()
                        .filter(a -> a.up() || now - a.run().lastSeen() <= retentionMs)
                        .toList();
        Map<MetricCatalogue, MetricSnapshot.Builder<?>> out = new EnumMap<>(MetricCatalogue.class);
        for (AppSnapshot a : apps) {
            Labels app = Labels.of("app", a.app());
            BatchRecord last = a.lastBatch();
            info(out, a);
            gauge(out, MetricCatalogue.APP_UP, app, a.up() ? 1 : 0);
            counter(out, MetricCatalogue.APP_RESTARTS, app, a.run().restarts());
            if (a.batchIntervalMs() != null)
                gauge(out, MetricCatalogue.BATCH_INTERVAL, app, a.batchIntervalMs() / 1000.0);
            if (last != null) {
                gauge(out, MetricCatalogue.LAST_BATCH_TIME, app, last.batchTime() / 1000.0);
                gauge(
                        out,
                        MetricCatalogue.LAST_SCHEDULING_DELAY,
                        app,
                        last.schedulingDelayMs() / 1000.0);
                gauge(
                        out,
                        MetricCatalogue.LAST_PROCESSING_TIME,
                        app,
                        last.processingTimeMs() / 1000.0);
                gauge(out, MetricCatalogue.LAST_TOTAL_DELAY, app, last.totalDelayMs() / 1000.0);
                gauge(out, MetricCatalogue.LAST_RECORDS, app, last.records());
            }
            if (a.inputRate() != null) gauge(out, MetricCatalogue.INPUT_RATE, app, a.inputRate());
            histogram(out, MetricCatalogue.PROCESSING_TIME, app, a.batches().processingTime());
            histogram(out, MetricCatalogue.TOTAL_DELAY, app, a.batches().totalDelay());
            counter(out, MetricCatalogue.BATCHES_COMPLETED, app, a.batches().completed());
            counter(out, MetricCatalogue.BATCHES_FAILED, app, a.batches().failed());
            counter(out, MetricCatalogue.RECORDS, app, a.batches().records());
            gauge(out, MetricCatalogue.WAITING_BATCHES, app, a.waitingBatches());
            gauge(out, MetricCatalogue.RECEIVERS_ACTIVE, app, a.receiversActive());
            counter(out, MetricCatalogue.RECEIVER_ERRORS, app, a.receiving().errors());
            if (a.rest().up() != null)
                gauge(out, MetricCatalogue.REST_UP, app, a.rest().up() ? 1 : 0);
            gauge(
                    out,
                    MetricCatalogue.APP_FINISHED,
                    app,
                    AppSnapshot.FINISHED.equals(a.state()) ? 1 : 0);
            gauge(out, MetricCatalogue.APP_LAST_SEEN, app, a.run().lastSeen() / 1000.0);
            counter(out, MetricCatalogue.LISTENER_DROPPED, app, a.listener().eventsDropped());
            counter(out, MetricCatalogue.LISTENER_LOST, app, a.listener().eventsLost());
            counter(out, MetricCatalogue.LISTENER_DUPLICATES, app, a.listener().duplicateEvents());
        }
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        for (MetricSnapshot.Builder<?> b : out.values()) {
            result.metricSnapshot(build(b));
        }
        return result.build();
    }

    private static MetricSnapshot build(MetricSnapshot.Builder<?> b) {
        if (b instanceof GaugeSnapshot.Builder g) return g.build();
        if (b instanceof CounterSnapshot.Builder c) return c.build();
        if (b instanceof HistogramSnapshot.Builder h) return h.build();
        return ((InfoSnapshot.Builder) b).build();
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(MetricCatalogue.values()).stream().map(MetricCatalogue::baseName).toList();
    }

    @SuppressWarnings("unchecked")
    private static <B extends MetricSnapshot.Builder<B>> B builder(
            Map<MetricCatalogue, MetricSnapshot.Builder<?>> out,
            MetricCatalogue m,
            Function<MetricCatalogue, B> create) {
        return (B) out.computeIfAbsent(m, k -> create.apply(k).name(k.baseName()).help(k.help()));
    }

    private static void gauge(
            Map<MetricCatalogue, MetricSnapshot.Builder<?>> out,
            MetricCatalogue m,
            Labels labels,
            double v) {
        GaugeSnapshot.Builder b = builder(out, m, k -> GaugeSnapshot.builder());
        b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(v).build());
    }

    private static void counter(
            Map<MetricCatalogue, MetricSnapshot.Builder<?>> out,
            MetricCatalogue m,
            Labels labels,
            double v) {
        CounterSnapshot.Builder b = builder(out, m, k -> CounterSnapshot.builder());
        b.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(v).build());
    }

    private static void histogram(
            Map<MetricCatalogue, MetricSnapshot.Builder<?>> out,
            MetricCatalogue m,
            Labels labels,
            Buckets.Snapshot h) {
        HistogramSnapshot.Builder b = builder(out, m, k -> HistogramSnapshot.builder());
        b.dataPoint(
                HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .labels(labels)
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, h.counts()))
                        .sum(h.sumSeconds())
                        .build());
    }

    private static void info(Map<MetricCatalogue, MetricSnapshot.Builder<?>> out, AppSnapshot a) {
        InfoSnapshot.Builder b =
                builder(out, MetricCatalogue.APP_INFO, k -> InfoSnapshot.builder());
        b.dataPoint(
                InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(
                                Labels.of(
                                        "app", a.app(),
                                        "app_id", nz(a.run().appId()),
                                        "attempt_id", nz(a.run().attemptId()),
                                        "spark_version", nz(a.run().sparkVersion()),
                                        "ui_url", nz(a.run().uiUrl())))
                        .build());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
