package io.streamwatch.service.poll.kafka;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Renders the poller's latest {@link KafkaLagPoller.Status} at scrape time. Series are a view of
 * the last successful poll: a group topic or an app that the last poll did not report is simply not
 * rendered, so its series disappear; while the cluster is unreachable no lag is rendered at all
 * (stale lag would look current) and {@code streamwatch_kafka_up} says why.
 */
final class KafkaLagCollector implements MultiCollector {
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
            lag(out, r.apps(), "app", KafkaMetric.APP_LAG_RECORDS, KafkaMetric.APP_LAG_SECONDS);
            lag(
                    out,
                    r.groups(),
                    "group",
                    KafkaMetric.GROUP_LAG_RECORDS,
                    KafkaMetric.GROUP_LAG_SECONDS);
        }
        out.metricSnapshot(gauge(KafkaMetric.UP, List.of(point(Labels.EMPTY, s.up() ? 1 : 0))));
        if (!Double.isNaN(s.lastPollSeconds())) {
            out.metricSnapshot(
                    gauge(
                            KafkaMetric.POLL_SECONDS,
                            List.of(point(Labels.EMPTY, s.lastPollSeconds()))));
        }
        out.metricSnapshot(
                CounterSnapshot.builder()
                        .name(KafkaMetric.POLLS.baseName)
                        .help(KafkaMetric.POLLS.help)
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
            KafkaMetric recordsMetric,
            KafkaMetric secondsMetric) {
        List<GaugeSnapshot.GaugeDataPointSnapshot> records = new ArrayList<>();
        List<GaugeSnapshot.GaugeDataPointSnapshot> seconds = new ArrayList<>();
        bySubject.forEach(
                (subject, topics) ->
                        topics.forEach(
                                (topic, lag) -> {
                                    Labels labels = Labels.of(label, subject, "topic", topic);
                                    records.add(point(labels, lag.records()));
                                    if (lag.seconds() != null)
                                        seconds.add(point(labels, lag.seconds()));
                                }));
        if (!records.isEmpty()) out.metricSnapshot(gauge(recordsMetric, records));
        if (!seconds.isEmpty()) out.metricSnapshot(gauge(secondsMetric, seconds));
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot gauge(
            KafkaMetric m, List<GaugeSnapshot.GaugeDataPointSnapshot> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(m.baseName).help(m.help);
        points.forEach(b::dataPoint);
        return b.build();
    }

    @Override
    public List<String> getPrometheusNames() {
        List<String> names = new ArrayList<>();
        for (KafkaMetric m : KafkaMetric.values()) names.add(m.baseName);
        return names;
    }
}
