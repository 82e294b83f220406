package io.streamwatch.service.poll.kafka;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.metrics.QueryMetricCatalogue;
import io.streamwatch.service.metrics.Series;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Renders the poller's latest {@link KafkaLagPoller.Status} at scrape time. Series are a view of
 * the last successful poll: a group topic, an app or a query that the last poll did not report is
 * simply not rendered, so its series disappear; while the cluster is unreachable no lag is rendered
 * at all (stale lag would look current) and {@code streamwatch_kafka_up} says why.
 */
final class KafkaLagCollector implements MultiCollector {
    private static final List<String> NAMES =
            java.util.stream.Stream.<Series>of(
                            MetricCatalogue.APP_KAFKA_LAG_RECORDS,
                            MetricCatalogue.APP_KAFKA_LAG_SECONDS,
                            MetricCatalogue.GROUP_LAG_RECORDS,
                            MetricCatalogue.GROUP_LAG_SECONDS,
                            QueryMetricCatalogue.QUERY_KAFKA_LAG_RECORDS,
                            QueryMetricCatalogue.QUERY_KAFKA_LAG_SECONDS,
                            MetricCatalogue.KAFKA_UP,
                            MetricCatalogue.KAFKA_POLL_SECONDS,
                            MetricCatalogue.KAFKA_POLLS)
                    .map(Series::baseName)
                    .toList();
    private final Supplier<KafkaLagPoller.Status> status;

    KafkaLagCollector(Supplier<KafkaLagPoller.Status> status) {
        this.status = status;
    }

    @Override
    public MetricSnapshots collect() {
        KafkaLagPoller.Status s = status.get();
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        LagReport r = s.up() ? s.report() : null;
        if (r != null) {
            lag(
                    out,
                    r.apps(),
                    "app",
                    MetricCatalogue.APP_KAFKA_LAG_RECORDS,
                    MetricCatalogue.APP_KAFKA_LAG_SECONDS);
            lag(
                    out,
                    r.groups(),
                    "group",
                    MetricCatalogue.GROUP_LAG_RECORDS,
                    MetricCatalogue.GROUP_LAG_SECONDS);
            queryLag(out, r.queries());
        }
        out.metricSnapshot(
                gauge(MetricCatalogue.KAFKA_UP, List.of(point(Labels.EMPTY, s.up() ? 1 : 0))));
        if (!Double.isNaN(s.lastPollSeconds())) {
            out.metricSnapshot(
                    gauge(
                            MetricCatalogue.KAFKA_POLL_SECONDS,
                            List.of(point(Labels.EMPTY, s.lastPollSeconds()))));
        }
        out.metricSnapshot(
                CounterSnapshot.builder()
                        .name(MetricCatalogue.KAFKA_POLLS.baseName())
                        .help(MetricCatalogue.KAFKA_POLLS.help())
                        .dataPoint(
                                CounterSnapshot.CounterDataPointSnapshot.builder()
                                        .labels(Labels.of("result", "ok"))
                                        .value(s.pollsOk())
                                        .build())
                        .dataPoint(
                                CounterSnapshot.CounterDataPointSnapshot.builder()
                                        .labels(Labels.of("result", "error"))
                                        .value(s.pollsFailed())
                                        .build())
                        .build());
        return out.build();
    }

    private static void lag(
            MetricSnapshots.Builder out,
            Map<String, Map<String, TopicLag>> bySubject,
            String label,
            Series recordsMetric,
            Series secondsMetric) {
        Map<Labels, TopicLag> lag = new LinkedHashMap<>();
        bySubject.forEach(
                (subject, topics) ->
                        topics.forEach(
                                (t, l) -> lag.put(Labels.of(label, subject, "topic", t), l)));
        render(out, lag, recordsMetric, secondsMetric);
    }

    private static void queryLag(
            MetricSnapshots.Builder out, Map<String, Map<String, Map<String, TopicLag>>> byApp) {
        Map<Labels, TopicLag> lag = new LinkedHashMap<>();
        byApp.forEach(
                (app, queries) ->
                        queries.forEach(
                                (query, topics) ->
                                        topics.forEach(
                                                (t, l) ->
                                                        lag.put(
                                                                Labels.of(
                                                                        "app", app,
                                                                        "query", query,
                                                                        "topic", t),
                                                                l))));
        render(
                out,
                lag,
                QueryMetricCatalogue.QUERY_KAFKA_LAG_RECORDS,
                QueryMetricCatalogue.QUERY_KAFKA_LAG_SECONDS);
    }

    private static void render(
            MetricSnapshots.Builder out,
            Map<Labels, TopicLag> lag,
            Series recordsMetric,
            Series secondsMetric) {
        List<GaugeSnapshot.GaugeDataPointSnapshot> records = new ArrayList<>();
        List<GaugeSnapshot.GaugeDataPointSnapshot> seconds = new ArrayList<>();
        lag.forEach(
                (labels, l) -> {
                    records.add(point(labels, l.records()));
                    if (l.seconds() != null) seconds.add(point(labels, l.seconds()));
                });
        if (!records.isEmpty()) out.metricSnapshot(gauge(recordsMetric, records));
        if (!seconds.isEmpty()) out.metricSnapshot(gauge(secondsMetric, seconds));
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot gauge(
            Series m, List<GaugeSnapshot.GaugeDataPointSnapshot> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(m.baseName()).help(m.help());
        points.forEach(b::dataPoint);
        return b.build();
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }
}
