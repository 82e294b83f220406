package io.streamwatch.service.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;

/**
 * The {@code spark_structured_streaming_*} series of one query, labelled {@code app} and {@code
 * query} (the query key, stable across runs); the query and run ids appear only on {@code
 * spark_structured_streaming_query_info}. A value Spark did not report is an absent series, not a
 * made-up 0. Kafka lag is rendered by the Kafka lag poller, which measures it.
 */
final class QueryMetrics {
    private QueryMetrics() {}

    static void render(String app, QuerySnapshot q, Points p) {
        Labels labels = Labels.of("app", app, "query", q.query());
        p.info(
                QueryMetricCatalogue.QUERY_INFO,
                Labels.of(
                        "app", app,
                        "query", q.query(),
                        "query_id", nz(q.queryId()),
                        "run_id", nz(q.runId())));
        p.gauge(QueryMetricCatalogue.QUERY_UP, labels, q.up() ? 1 : 0);
        p.counter(QueryMetricCatalogue.QUERY_RESTARTS, labels, q.restarts());
        p.counter(QueryMetricCatalogue.QUERY_FAILURES, labels, q.failures());
        if (q.triggerIntervalMs() != null) {
            p.gauge(
                    QueryMetricCatalogue.QUERY_TRIGGER_INTERVAL,
                    labels,
                    q.triggerIntervalMs() / 1000.0);
        }
        p.counter(QueryMetricCatalogue.QUERY_BATCHES_COMPLETED, labels, q.batchesCompleted());
        p.counter(QueryMetricCatalogue.QUERY_INPUT_ROWS, labels, q.inputRows());
        if (q.batchDuration() != null) {
            p.histogram(QueryMetricCatalogue.QUERY_BATCH_DURATION, labels, q.batchDuration());
        }
        p.counter(QueryMetricCatalogue.QUERY_LATE_ROWS_DROPPED, labels, q.lateRowsDropped());
        MicroBatch last = q.last();
        if (last != null) lastBatch(last, labels, p);
    }

    private static void lastBatch(MicroBatch last, Labels labels, Points p) {
        Long duration = last.durationMs().get("triggerExecution");
        if (duration != null) {
            p.gauge(QueryMetricCatalogue.QUERY_LAST_BATCH_DURATION, labels, duration / 1000.0);
        }
        p.gauge(QueryMetricCatalogue.QUERY_LAST_BATCH_TIME, labels, last.timestamp() / 1000.0);
        if (last.inputRowsPerSecond() != null) {
            p.gauge(QueryMetricCatalogue.QUERY_INPUT_RATE, labels, last.inputRowsPerSecond());
        }
        if (last.processedRowsPerSecond() != null) {
            p.gauge(
                    QueryMetricCatalogue.QUERY_PROCESSING_RATE,
                    labels,
                    last.processedRowsPerSecond());
        }
        if (last.watermark() != null && last.watermark() > 0) {
            p.gauge(
                    QueryMetricCatalogue.QUERY_WATERMARK_LAG,
                    labels,
                    (last.timestamp() - last.watermark()) / 1000.0);
        }
        p.gauge(QueryMetricCatalogue.QUERY_STATE_ROWS, labels, last.stateRows());
        p.gauge(QueryMetricCatalogue.QUERY_STATE_MEMORY, labels, last.stateMemoryBytes());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
