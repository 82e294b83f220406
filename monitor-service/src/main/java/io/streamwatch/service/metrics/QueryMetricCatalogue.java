package io.streamwatch.service.metrics;

import io.streamwatch.service.metrics.MetricCatalogue.Type;

/**
 * The per-query {@code spark_structured_streaming_*} series of the catalogue (see {@link
 * MetricCatalogue}, whose {@link MetricCatalogue#all()} lists them with every other series):
 * labelled {@code app} and {@code query}, the query key, stable across runs; Spark's query and run
 * ids appear only on {@code spark_structured_streaming_query_info}. The query's Kafka lag is
 * rendered by the Kafka lag poller, the rest from the app's query snapshots.
 */
public enum QueryMetricCatalogue implements Series {
    QUERY_INFO(
            "spark_structured_streaming_query",
            Type.INFO,
            "Current run of the query (value 1): Spark's query id and run id.",
            L.QUERY_INFO),
    QUERY_UP(
            "spark_structured_streaming_query_up",
            Type.GAUGE,
            "1 while the query runs (active or idle) and its app is up, else 0.",
            L.QUERY),
    QUERY_RESTARTS(
            "spark_structured_streaming_query_restarts",
            Type.COUNTER,
            "New run ids seen for the same query.",
            L.QUERY),
    QUERY_FAILURES(
            "spark_structured_streaming_query_failures",
            Type.COUNTER,
            "Runs of the query that ended with an exception.",
            L.QUERY),
    QUERY_TRIGGER_INTERVAL(
            "spark_structured_streaming_trigger_interval_seconds",
            Type.GAUGE,
            "Processing-time trigger interval (absent for other triggers).",
            L.QUERY),
    QUERY_BATCHES_COMPLETED(
            "spark_structured_streaming_batches_completed",
            Type.COUNTER,
            "Micro-batches reported.",
            L.QUERY),
    QUERY_INPUT_ROWS(
            "spark_structured_streaming_input_rows",
            Type.COUNTER,
            "Input rows of the reported micro-batches.",
            L.QUERY),
    QUERY_LAST_BATCH_DURATION(
            "spark_structured_streaming_last_batch_duration_seconds",
            Type.GAUGE,
            "triggerExecution of the last micro-batch.",
            L.QUERY),
    QUERY_BATCH_DURATION(
            "spark_structured_streaming_batch_duration_seconds",
            Type.HISTOGRAM,
            "triggerExecution per micro-batch.",
            L.QUERY),
    QUERY_LAST_BATCH_TIME(
            "spark_structured_streaming_last_batch_time_seconds",
            Type.GAUGE,
            "Progress timestamp of the last micro-batch (epoch seconds).",
            L.QUERY),
    QUERY_INPUT_RATE(
            "spark_structured_streaming_input_rate_rows_per_second",
            Type.GAUGE,
            "Input rows per second of the last micro-batch.",
            L.QUERY),
    QUERY_PROCESSING_RATE(
            "spark_structured_streaming_processing_rate_rows_per_second",
            Type.GAUGE,
            "Rows processed per second in the last micro-batch.",
            L.QUERY),
    QUERY_WATERMARK_LAG(
            "spark_structured_streaming_watermark_lag_seconds",
            Type.GAUGE,
            "Progress timestamp minus watermark of the last micro-batch (absent without one).",
            L.QUERY),
    QUERY_STATE_ROWS(
            "spark_structured_streaming_state_rows",
            Type.GAUGE,
            "Rows in state after the last micro-batch, summed over the state operators.",
            L.QUERY),
    QUERY_STATE_MEMORY(
            "spark_structured_streaming_state_memory_bytes",
            Type.GAUGE,
            "Memory used by state after the last micro-batch, summed over the state operators.",
            L.QUERY),
    QUERY_LATE_ROWS_DROPPED(
            "spark_structured_streaming_late_rows_dropped",
            Type.COUNTER,
            "Rows the state operators dropped as later than the watermark.",
            L.QUERY),

    QUERY_KAFKA_LAG_RECORDS(
            "spark_structured_streaming_kafka_lag_records",
            Type.GAUGE,
            "Log end offset minus the query's latest end offsets, summed over the partitions.",
            L.QUERY_TOPIC),
    QUERY_KAFKA_LAG_SECONDS(
            "spark_structured_streaming_kafka_lag_seconds",
            Type.GAUGE,
            "Estimated age of the oldest record the query has not read (0 when caught up), largest"
                    + " over the topic's partitions.",
            L.QUERY_TOPIC);

    /** Label sets shared by many series (a holder class: enum constants cannot read statics). */
    private static final class L {
        static final String[] QUERY = {"app", "query"};
        static final String[] QUERY_INFO = {"app", "query", "query_id", "run_id"};
        static final String[] QUERY_TOPIC = {"app", "query", "topic"};
    }

    private final Spec spec;

    QueryMetricCatalogue(String baseName, Type type, String help, String... labels) {
        this.spec = new Spec(baseName, type, help, labels);
    }

    @Override
    public Spec spec() {
        return spec;
    }
}
