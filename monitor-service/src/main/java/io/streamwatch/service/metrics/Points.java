package io.streamwatch.service.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.streamwatch.service.state.Buckets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The data points of one subject (an app, a query), built (and so validated: a negative counter is
 * refused here) before any of them joins the scrape, so a subject whose data cannot be rendered is
 * left out whole, never half rendered.
 */
final class Points {
    private static final double[] BOUNDS = withInf(Buckets.SECONDS);

    private final List<Consumer<Map<Series, MetricSnapshot.Builder<?>>>> points = new ArrayList<>();

    /** The families of one scrape (the exposition orders them by name). */
    static final class Scrape {
        private final Map<Series, MetricSnapshot.Builder<?>> families = new LinkedHashMap<>();

        void add(Points p) {
            p.points.forEach(point -> point.accept(families));
        }

        MetricSnapshots build() {
            MetricSnapshots.Builder result = MetricSnapshots.builder();
            for (MetricSnapshot.Builder<?> b : families.values())
                result.metricSnapshot(Points.build(b));
            return result.build();
        }
    }

    private static double[] withInf(double[] bounds) {
        double[] b = new double[bounds.length + 1];
        System.arraycopy(bounds, 0, b, 0, bounds.length);
        b[bounds.length] = Double.POSITIVE_INFINITY;
        return b;
    }

    void gauge(Series m, Labels labels, double v) {
        var p = GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(v).build();
        points.add(out -> builder(out, m, GaugeSnapshot::builder).dataPoint(p));
    }

    void counter(Series m, Labels labels, double v) {
        var p = CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(v).build();
        points.add(out -> builder(out, m, CounterSnapshot::builder).dataPoint(p));
    }

    /** A histogram in the layout of {@link Buckets#SECONDS}. */
    void histogram(Series m, Labels labels, Buckets.Snapshot h) {
        var p =
                HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .labels(labels)
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, h.counts()))
                        .sum(h.sumSeconds())
                        .build();
        points.add(out -> builder(out, m, HistogramSnapshot::builder).dataPoint(p));
    }

    void info(Series m, Labels labels) {
        var p = InfoSnapshot.InfoDataPointSnapshot.builder().labels(labels).build();
        points.add(out -> builder(out, m, InfoSnapshot::builder).dataPoint(p));
    }

    @SuppressWarnings("unchecked")
    private static <B extends MetricSnapshot.Builder<B>> B builder(
            Map<Series, MetricSnapshot.Builder<?>> out, Series m, Supplier<B> create) {
        return (B) out.computeIfAbsent(m, k -> create.get().name(k.baseName()).help(k.help()));
    }

    private static MetricSnapshot build(MetricSnapshot.Builder<?> b) {
        if (b instanceof GaugeSnapshot.Builder g) return g.build();
        if (b instanceof CounterSnapshot.Builder c) return c.build();
        if (b instanceof HistogramSnapshot.Builder h) return h.build();
        return ((InfoSnapshot.Builder) b).build();
    }
}
