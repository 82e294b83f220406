package io.streamwatch.service.metrics;

import java.util.List;

/**
 * One series of the catalogue: an entry of {@link MetricCatalogue} or {@link QueryMetricCatalogue}.
 * {@link MetricCatalogue#all()} lists every one.
 */
public sealed interface Series permits MetricCatalogue, QueryMetricCatalogue {
    /**
     * What an entry declares: its Prometheus base name (without {@code _total} or {@code _info}),
     * type, help and label names (in the order label values are given).
     */
    record Spec(String baseName, MetricCatalogue.Type type, String help, List<String> labels) {
        Spec(String baseName, MetricCatalogue.Type type, String help, String... labels) {
            this(baseName, type, help, List.of(labels));
        }
    }

    Spec spec();

    default String baseName() {
        return spec().baseName();
    }

    default MetricCatalogue.Type type() {
        return spec().type();
    }

    default String help() {
        return spec().help();
    }

    default List<String> labels() {
        return spec().labels();
    }

    /**
     * The name as it appears on {@code /metrics} (text format), e.g. {@code
     * spark_streaming_records_total}.
     */
    default String exposedName() {
        return switch (type()) {
            case COUNTER -> baseName() + "_total";
            case INFO -> baseName() + "_info";
            default -> baseName();
        };
    }
}
