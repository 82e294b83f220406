package io.streamwatch.service.metrics;

import io.streamwatch.service.metrics.Exposition.Family;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The {@code spark_structured_streaming_*} series of one query, labelled {@code app} and {@code
 * query} (the query key, stable across runs); the query and run ids appear only on {@code
 * spark_structured_streaming_query_info}. A value Spark did not report is an absent series, not a
 * made-up 0. Kafka lag is rendered by the Kafka lag poller, which measures it.
 */
final class QueryMetrics {
    private QueryMetrics() {}

    static final List<String> LABELS = List.of("app", "query");

    /** All of {@link QueryMetricCatalogue} but the Kafka lag. */
    static final List<Family<QuerySnapshot>> FAMILIES =
            List.of(
                    f(
                            QueryMetricCatalogue.QUERY_INFO,
                            (q, s) -> s.info(nz(q.queryId()), nz(q.runId()))),
                    f(QueryMetricCatalogue.QUERY_UP, (q, s) -> s.value(q.up() ? 1 : 0)),
                    f(QueryMetricCatalogue.QUERY_RESTARTS, (q, s) -> s.value(q.restarts())),
                    f(QueryMetricCatalogue.QUERY_FAILURES, (q, s) -> s.value(q.failures())),
                    f(
                            QueryMetricCatalogue.QUERY_TRIGGER_INTERVAL,
                            (q, s) -> {
                                if (q.triggerIntervalMs() != null) {
                                    s.value(q.triggerIntervalMs() / 1000.0);
                                }
                            }),
                    f(
                            QueryMetricCatalogue.QUERY_BATCHES_COMPLETED,
                            (q, s) -> s.value(q.batchesCompleted())),
                    f(QueryMetricCatalogue.QUERY_INPUT_ROWS, (q, s) -> s.value(q.inputRows())),
                    last(
                            QueryMetricCatalogue.QUERY_LAST_BATCH_DURATION,
                            (b, s) -> {
                                Long d = b.durationMs().get("triggerExecution");
                                if (d != null) s.value(d / 1000.0);
                            }),
                    f(
                            QueryMetricCatalogue.QUERY_BATCH_DURATION,
                            (q, s) -> {
                                if (q.batchDuration() != null) s.histogram(q.batchDuration());
                            }),
                    last(
                            QueryMetricCatalogue.QUERY_LAST_BATCH_TIME,
                            (b, s) -> s.value(b.timestamp() / 1000.0)),
                    last(
                            QueryMetricCatalogue.QUERY_INPUT_RATE,
                            (b, s) -> {
                                if (b.inputRowsPerSecond() != null) s.value(b.inputRowsPerSecond());
                            }),
                    last(
                            QueryMetricCatalogue.QUERY_PROCESSING_RATE,
                            (b, s) -> {
                                if (b.processedRowsPerSecond() != null) {
                                    s.value(b.processedRowsPerSecond());
                                }
                            }),
                    last(
                            QueryMetricCatalogue.QUERY_WATERMARK_LAG,
                            (b, s) -> {
                                if (b.watermark() != null && b.watermark() > 0) {
                                    s.value((b.timestamp() - b.watermark()) / 1000.0);
                                }
                            }),
                    last(QueryMetricCatalogue.QUERY_STATE_ROWS, (b, s) -> s.value(b.stateRows())),
                    last(
                            QueryMetricCatalogue.QUERY_STATE_MEMORY,
                            (b, s) -> s.value(b.stateMemoryBytes())),
                    f(
                            QueryMetricCatalogue.QUERY_LATE_ROWS_DROPPED,
                            (q, s) -> s.value(q.lateRowsDropped())));

    private static Family<QuerySnapshot> f(
            Series m, BiConsumer<QuerySnapshot, Exposition.Sample> point) {
        return new Family<>(m, point);
    }

    /** A series of the last micro-batch, absent before the first. */
    private static Family<QuerySnapshot> last(
            Series m, BiConsumer<MicroBatch, Exposition.Sample> point) {
        return f(
                m,
                (q, s) -> {
                    MicroBatch b = q.last();
                    if (b != null) point.accept(b, s);
                });
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
