package io.streamwatch.service.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The catalogue of every series the service exports: Prometheus name, type, help and labels. This
 * enum holds the per-app, Kafka and service series; the per-query {@code
 * spark_structured_streaming_*} series are {@link QueryMetricCatalogue}, and {@link #all()} lists
 * both, so anything that checks the whole catalogue iterates that. Per-app, per-query and Kafka
 * series are rendered from state at scrape time by collectors; the service's own health ({@code
 * streamwatch_*}) is Micrometer meters, built only through {@link Meters} from these entries, so a
 * name, help text or label set cannot be written twice. JVM and process series come from
 * Micrometer's binders and are not listed.
 *
 * <p>Names are Prometheus base names: counters gain {@code _total} and info metrics {@code _info}
 * on exposition; summaries (Micrometer timers and distribution summaries) also export {@code _max}.
 * Labels are low-cardinality by design: {@code app} (the stable app key) and {@code query} (the
 * query key: its name, else its id, stable across runs), nothing per run, except on {@code
 * spark_streaming_app_info} and {@code spark_structured_streaming_query_info}.
 */
public enum MetricCatalogue implements Series {
    APP_INFO(
            "spark_streaming_app",
            Type.INFO,
            "Current run of the app (value 1): Spark app id, attempt, version, UI URL.",
            "app",
            "app_id",
            "attempt_id",
            "spark_version",
            "ui_url"),
    APP_UP(
            "spark_streaming_app_up",
            Type.GAUGE,
            "1 while the listener's heartbeat is fresh, 0 when silent or finished.",
            "app"),
    APP_RESTARTS(
            "spark_streaming_app_restarts",
            Type.COUNTER,
            "New Spark application ids seen for the same app key.",
            "app"),
    BATCH_INTERVAL(
            "spark_streaming_batch_interval_seconds",
            Type.GAUGE,
            "Batch duration of the streaming context.",
            "app"),
    LAST_BATCH_TIME(
            "spark_streaming_last_batch_time_seconds",
            Type.GAUGE,
            "Batch time of the last completed batch (epoch seconds).",
            "app"),
    LAST_SCHEDULING_DELAY(
            "spark_streaming_last_batch_scheduling_delay_seconds",
            Type.GAUGE,
            "Scheduling delay of the last completed batch.",
            "app"),
    LAST_PROCESSING_TIME(
            "spark_streaming_last_batch_processing_time_seconds",
            Type.GAUGE,
            "Processing time of the last completed batch.",
            "app"),
    LAST_TOTAL_DELAY(
            "spark_streaming_last_batch_total_delay_seconds",
            Type.GAUGE,
            "Total delay (scheduling + processing) of the last completed batch.",
            "app"),
    LAST_RECORDS(
            "spark_streaming_last_batch_records",
            Type.GAUGE,
            "Records in the last completed batch.",
            "app"),
    INPUT_RATE(
            "spark_streaming_input_rate_records_per_second",
            Type.GAUGE,
            "Records of the last completed batch divided by the batch interval.",
            "app"),
    PROCESSING_TIME(
            "spark_streaming_batch_processing_time_seconds",
            Type.HISTOGRAM,
            "Processing time per completed batch.",
            "app"),
    TOTAL_DELAY(
            "spark_streaming_batch_total_delay_seconds",
            Type.HISTOGRAM,
            "Total delay per completed batch.",
            "app"),
    BATCHES_COMPLETED(
            "spark_streaming_batches_completed", Type.COUNTER, "Completed batches.", "app"),
    BATCHES_FAILED(
            "spark_streaming_batches_failed",
            Type.COUNTER,
            "Completed batches with a failed output operation.",
            "app"),
    RECORDS(
            "spark_streaming_records",
            Type.COUNTER,
            "Records processed by completed batches.",
            "app"),
    WAITING_BATCHES(
            "spark_streaming_waiting_batches",
            Type.GAUGE,
            "Batches submitted but not yet started.",
            "app"),
    RECEIVERS_ACTIVE(
            "spark_streaming_receivers_active", Type.GAUGE, "Receivers currently active.", "app"),
    RECEIVER_ERRORS(
            "spark_streaming_receiver_errors",
            Type.COUNTER,
            "Errors reported by receivers.",
            "app"),
    REST_UP(
            "spark_streaming_rest_up",
            Type.GAUGE,
            "1 if the driver's REST API answered the last poll, 0 if not (absent when not polled).",
            "app"),
    APP_FINISHED(
            "streamwatch_app_finished",
            Type.GAUGE,
            "1 when the app's current run ended cleanly (application end received), else 0.",
            "app"),
    APP_LAST_SEEN(
            "streamwatch_app_last_seen_seconds",
            Type.GAUGE,
            "When the service last heard from the app (epoch seconds).",
            "app"),
    LISTENER_DROPPED(
            "streamwatch_listener_events_dropped",
            Type.COUNTER,
            "Events the app's listener dropped because its buffer was full.",
            "app"),
    LISTENER_LOST(
            "streamwatch_listener_events_lost",
            Type.COUNTER,
            "Events missing from the listener's sequence (gaps) as seen by the service.",
            "app"),
    LISTENER_DUPLICATES(
            "streamwatch_listener_events_duplicate",
            Type.COUNTER,
            "Events received again (listener retries) and ignored.",
            "app"),

    APP_KAFKA_LAG_RECORDS(
            "spark_streaming_kafka_lag_records",
            Type.GAUGE,
            "Log end offset minus the offsets the app's newest completed batch processed, summed"
                    + " over the topic's partitions (partitions never processed count from the log"
                    + " start offset).",
            "app",
            "topic"),
    APP_KAFKA_LAG_SECONDS(
            "spark_streaming_kafka_lag_seconds",
            Type.GAUGE,
            "Estimated age of the oldest record the app has not processed (0 when caught up),"
                    + " largest over the topic's partitions.",
            "app",
            "topic"),
    GROUP_LAG_RECORDS(
            "kafka_consumer_group_lag_records",
            Type.GAUGE,
            "Log end offset minus the group's committed offset, summed over the topic's partitions"
                    + " (partitions never committed count from the log start offset).",
            "group",
            "topic"),
    GROUP_LAG_SECONDS(
            "kafka_consumer_group_lag_seconds",
            Type.GAUGE,
            "Estimated age of the oldest record the group has not committed (0 when caught up),"
                    + " largest over the topic's partitions.",
            "group",
            "topic"),

    INGEST_REQUESTS(
            "streamwatch_ingest_requests",
            Type.COUNTER,
            "Ingest requests by outcome (ok, bad_request, unauthorized, too_large, unsupported,"
                    + " too_many).",
            "result"),
    INGEST_EVENTS(
            "streamwatch_ingest_events",
            Type.COUNTER,
            "Events from listeners: accepted, or duplicate (re-sent and ignored).",
            "result"),
    INGEST_REQUEST_SIZE(
            "streamwatch_ingest_request_size_bytes",
            Type.SUMMARY,
            "Ingest request bodies as received (compressed)."),
    APPS("streamwatch_apps", Type.GAUGE, "Apps the service knows."),
    METRICS_RENDER_ERRORS(
            "streamwatch_metrics_render_errors",
            Type.COUNTER,
            "Apps and queries left out of a scrape because their data could not be rendered (the"
                    + " log says which and why); the rest of the scrape is served."),
    STORE_HEALTHY(
            "streamwatch_store_healthy", Type.GAUGE, "1 while the state store accepts writes."),
    STORE_COMMITS(
            "streamwatch_store_commits",
            Type.COUNTER,
            "Transactions committed to the state store (each holds many changes)."),
    STORE_CHANGES("streamwatch_store_changes", Type.COUNTER, "Changes made durable."),
    STORE_SIZE(
            "streamwatch_store_size_bytes",
            Type.GAUGE,
            "Size of the state store on disk (database and write-ahead log)."),
    REST_POLLS(
            "streamwatch_rest_polls",
            Type.COUNTER,
            "Polls of Spark drivers' REST APIs by result (ok; failed: refused, timed out, non-2xx,"
                    + " unreadable).",
            "result"),
    REST_POLL_SECONDS(
            "streamwatch_rest_poll_seconds",
            Type.SUMMARY,
            "Time to poll one Spark driver's REST API (all requests of one poll)."),
    KAFKA_UP(
            "streamwatch_kafka_up",
            Type.GAUGE,
            "1 if the last Kafka lag poll reached the cluster, 0 if not."),
    KAFKA_POLL_SECONDS(
            "streamwatch_kafka_poll_seconds", Type.GAUGE, "Duration of the last Kafka lag poll."),
    KAFKA_POLLS(
            "streamwatch_kafka_polls",
            Type.COUNTER,
            "Kafka lag polls by result (ok, error).",
            "result"),
    ALERTS_FIRING(
            "streamwatch_alerts_firing",
            Type.GAUGE,
            "Alerts currently firing, by alert name and severity.",
            "alertname",
            "severity"),
    NOTIFICATIONS(
            "streamwatch_notifications",
            Type.COUNTER,
            "Alert notifications by receiver and outcome (sent, retried, failed, rejected,"
                    + " dropped).",
            "receiver",
            "result"),
    PROCESS_CPU(
            "process_cpu_seconds",
            Type.COUNTER,
            "CPU time used by the service process, in seconds."),
    NOTIFY_OUTBOX_ENTRIES(
            "streamwatch_notify_outbox_entries",
            Type.GAUGE,
            "Webhook and PagerDuty notifications waiting in the durable outbox, per receiver.",
            "receiver"),
    NOTIFY_OUTBOX_OLDEST_AGE(
            "streamwatch_notify_outbox_oldest_age_seconds",
            Type.GAUGE,
            "Age of the oldest notification waiting in the outbox, per receiver (0 when none).",
            "receiver");

    /** How a series is exposed. */
    public enum Type {
        GAUGE,
        COUNTER,
        HISTOGRAM,
        /**
         * A Micrometer timer or distribution summary: {@code _count}, {@code _sum}, {@code _max}.
         */
        SUMMARY,
        INFO
    }

    private static final List<Series> ALL =
            Stream.concat(Arrays.stream(values()), Arrays.stream(QueryMetricCatalogue.values()))
                    .map(Series.class::cast)
                    .toList();

    private final Spec spec;

    MetricCatalogue(String baseName, Type type, String help, String... labels) {
        this.spec = new Spec(baseName, type, help, labels);
    }

    /** Every series of the catalogue: these, then the per-query ones. */
    public static List<Series> all() {
        return ALL;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    /**
     * The name of the Micrometer meter behind this series (summaries leave out the unit, which
     * Micrometer adds), for looking meters up.
     */
    public String meterName() {
        if (spec.type() != Type.SUMMARY) return spec.baseName();
        return withoutUnit(spec.baseName().endsWith("_bytes") ? "_bytes" : "_seconds");
    }

    String withoutUnit(String unit) {
        if (!spec.baseName().endsWith(unit)) {
            throw new IllegalStateException(spec.baseName() + " does not end in " + unit);
        }
        return spec.baseName().substring(0, spec.baseName().length() - unit.length());
    }
}
