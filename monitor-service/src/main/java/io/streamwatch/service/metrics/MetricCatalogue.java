package io.streamwatch.service.metrics;

/**
 * Every per-app metric the service exports: name, type and help in one place. Names are the
 * Prometheus base names; counters gain {@code _total} and info metrics {@code _info} on exposition.
 * Labels are low-cardinality by design: {@code app} (the stable app key), nothing per run, except
 * on {@code spark_streaming_app_info}.
 */
public enum MetricCatalogue {
    APP_INFO(
            "spark_streaming_app",
            Type.INFO,
            "Current run of the app (value 1): Spark app id, attempt, version, UI URL."),
    APP_UP(
            "spark_streaming_app_up",
            Type.GAUGE,
            "1 while the listener's heartbeat is fresh, 0 when silent or finished."),
    APP_RESTARTS(
            "spark_streaming_app_restarts",
            Type.COUNTER,
            "New Spark application ids seen for the same app key."),
    BATCH_INTERVAL(
            "spark_streaming_batch_interval_seconds",
            Type.GAUGE,
            "Batch duration of the streaming context."),
    LAST_BATCH_TIME(
            "spark_streaming_last_batch_time_seconds",
            Type.GAUGE,
            "Batch time of the last completed batch (epoch seconds)."),
    LAST_SCHEDULING_DELAY(
            "spark_streaming_last_batch_scheduling_delay_seconds",
            Type.GAUGE,
            "Scheduling delay of the last completed batch."),
    LAST_PROCESSING_TIME(
            "spark_streaming_last_batch_processing_time_seconds",
            Type.GAUGE,
            "Processing time of the last completed batch."),
    LAST_TOTAL_DELAY(
            "spark_streaming_last_batch_total_delay_seconds",
            Type.GAUGE,
            "Total delay (scheduling + processing) of the last completed batch."),
    LAST_RECORDS(
            "spark_streaming_last_batch_records",
            Type.GAUGE,
            "Records in the last completed batch."),
    INPUT_RATE(
            "spark_streaming_input_rate_records_per_second",
            Type.GAUGE,
            "Records of the last completed batch divided by the batch interval."),
    PROCESSING_TIME(
            "spark_streaming_batch_processing_time_seconds",
            Type.HISTOGRAM,
            "Processing time per completed batch."),
    TOTAL_DELAY(
            "spark_streaming_batch_total_delay_seconds",
            Type.HISTOGRAM,
            "Total delay per completed batch."),
    BATCHES_COMPLETED("spark_streaming_batches_completed", Type.COUNTER, "Completed batches."),
    BATCHES_FAILED(
            "spark_streaming_batches_failed",
            Type.COUNTER,
            "Completed batches with a failed output operation."),
    RECORDS("spark_streaming_records", Type.COUNTER, "Records processed by completed batches."),
    WAITING_BATCHES(
            "spark_streaming_waiting_batches",
            Type.GAUGE,
            "Batches submitted but not yet started."),
    RECEIVERS_ACTIVE("spark_streaming_receivers_active", Type.GAUGE, "Receivers currently active."),
    RECEIVER_ERRORS(
            "spark_streaming_receiver_errors", Type.COUNTER, "Errors reported by receivers."),
    REST_UP(
            "spark_streaming_rest_up",
            Type.GAUGE,
            "1 if the driver's REST API answered the last poll, 0 if not (absent when not polled)."),
    APP_FINISHED(
            "streamwatch_app_finished",
            Type.GAUGE,
            "1 when the app's current run ended cleanly (application end received), else 0."),
    APP_LAST_SEEN(
            "streamwatch_app_last_seen_seconds",
            Type.GAUGE,
            "When the service last heard from the app (epoch seconds)."),
    LISTENER_DROPPED(
            "streamwatch_listener_events_dropped",
            Type.COUNTER,
            "Events the app's listener dropped because its buffer was full."),
    LISTENER_LOST(
            "streamwatch_listener_events_lost",
            Type.COUNTER,
            "Events missing from the listener's sequence (gaps) as seen by the service."),
    LISTENER_DUPLICATES(
            "streamwatch_listener_events_duplicate",
            Type.COUNTER,
            "Events received again (listener retries) and ignored."),
    NOTIFY_OUTBOX_ENTRIES(
            "streamwatch_notify_outbox_entries",
            Type.GAUGE,
            "Webhook and PagerDuty notifications waiting in the durable outbox, per receiver."),
    NOTIFY_OUTBOX_OLDEST_AGE(
            "streamwatch_notify_outbox_oldest_age_seconds",
            Type.GAUGE,
            "Age of the oldest notification waiting in the outbox, per receiver (0 when none).");

    public enum Type {
        GAUGE,
        COUNTER,
        HISTOGRAM,
        INFO
    }

    private final String baseName;
    private final Type type;
    private final String help;

    MetricCatalogue(String baseName, Type type, String help) {
        this.baseName = baseName;
        this.type = type;
        this.help = help;
    }

    public String baseName() {
        return baseName;
    }

    public Type type() {
        return type;
    }

    public String help() {
        return help;
    }

    /**
     * The name as it appears on {@code /metrics} (text format), e.g. {@code
     * spark_streaming_records_total}.
     */
    public String exposedName() {
        return switch (type) {
            case COUNTER -> baseName + "_total";
            case INFO -> baseName + "_info";
            default -> baseName;
        };
    }
}
