package io.streamwatch.service.metrics;

import java.util.List;

/**
 * One series of the catalogue: an entry of {@link MetricCatalogue} or {@link QueryMetricCatalogue}.
 * {@link MetricCatalogue#all()} lists every one.
 */
public sealed interface Series permits MetricCatalogue, QueryMetricCatalogue {
    /** The Prometheus base name (without {@code _total} or {@code _info}). */
    String baseName();

    MetricCatalogue.Type type();

    String help();

    /** Label names, in the order label values are given. */
    List<String> labels();

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
