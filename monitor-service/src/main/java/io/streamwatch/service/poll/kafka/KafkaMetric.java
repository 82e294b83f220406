package io.streamwatch.service.poll.kafka;

/**
 * Every series the Kafka lag poller exports: name (Prometheus base name), help, labels, in one
 * place.
 */
enum KafkaMetric {
    APP_LAG_RECORDS(
            "spark_streaming_kafka_lag_records",
            "Log end offset minus the offsets the app's newest completed batch processed, summed over the topic's partitions "
                    + "(partitions never processed count from the log start offset).",
            "app",
            "topic"),
    APP_LAG_SECONDS(
            "spark_streaming_kafka_lag_seconds",
            "Estimated age of the oldest record the app has not processed (0 when caught up), largest over the topic's partitions.",
            "app",
            "topic"),
    GROUP_LAG_RECORDS(
            "kafka_consumer_group_lag_records",
            "Log end offset minus the group's committed offset, summed over the topic's partitions "
                    + "(partitions never committed count from the log start offset).",
            "group",
            "topic"),
    GROUP_LAG_SECONDS(
            "kafka_consumer_group_lag_seconds",
            "Estimated age of the oldest record the group has not committed (0 when caught up), largest over the topic's partitions.",
            "group",
            "topic"),
    UP("streamwatch_kafka_up", "1 if the last Kafka lag poll reached the cluster, 0 if not."),
    POLL_SECONDS("streamwatch_kafka_poll_seconds", "Duration of the last Kafka lag poll."),
    POLLS("streamwatch_kafka_polls", "Kafka lag polls by result (ok, error).", "result");

    final String baseName;
    final String help;
    final String[] labels;

    KafkaMetric(String baseName, String help, String... labels) {
        this.baseName = baseName;
        this.help = help;
        this.labels = labels;
    }
}
