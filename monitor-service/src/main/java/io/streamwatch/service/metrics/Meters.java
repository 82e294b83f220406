package io.streamwatch.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.function.ToDoubleFunction;

/**
 * Builds the Micrometer meter for a {@link MetricCatalogue} entry: its name, help and labels come
 * from the entry, label values in the order of {@link MetricCatalogue#labels()}; a meter of the
 * wrong type or with the wrong labels is refused.
 */
public final class Meters {
    private Meters() {}

    /** A counter; {@code labelValues} in the order of {@link MetricCatalogue#labels()}. */
    public static Counter counter(MetricCatalogue m, MeterRegistry meters, String... labelValues) {
        expect(m, MetricCatalogue.Type.COUNTER);
        return Counter.builder(m.baseName())
                .tags(tags(m, labelValues))
                .description(m.help())
                .register(meters);
    }

    /** A counter that reads its value from {@code f} at scrape time. */
    public static <T> FunctionCounter functionCounter(
            MetricCatalogue m,
            MeterRegistry meters,
            T obj,
            ToDoubleFunction<T> f,
            String... labelValues) {
        expect(m, MetricCatalogue.Type.COUNTER);
        return FunctionCounter.builder(m.baseName(), obj, f)
                .tags(tags(m, labelValues))
                .description(m.help())
                .register(meters);
    }

    /** A gauge that reads its value from {@code f} at scrape time. */
    public static <T> Gauge gauge(
            MetricCatalogue m,
            MeterRegistry meters,
            T obj,
            ToDoubleFunction<T> f,
            String... labelValues) {
        expect(m, MetricCatalogue.Type.GAUGE);
        return Gauge.builder(m.baseName(), obj, f)
                .tags(tags(m, labelValues))
                .description(m.help())
                .register(meters);
    }

    /** A timer; its name in the catalogue ends in {@code _seconds}, which Micrometer adds. */
    public static Timer timer(MetricCatalogue m, MeterRegistry meters, String... labelValues) {
        expect(m, MetricCatalogue.Type.SUMMARY);
        return Timer.builder(m.withoutUnit("_seconds"))
                .tags(tags(m, labelValues))
                .description(m.help())
                .register(meters);
    }

    /** A distribution summary in bytes; its name ends in {@code _bytes}, which Micrometer adds. */
    public static DistributionSummary bytesSummary(
            MetricCatalogue m, MeterRegistry meters, String... labelValues) {
        expect(m, MetricCatalogue.Type.SUMMARY);
        return DistributionSummary.builder(m.withoutUnit("_bytes"))
                .baseUnit("bytes")
                .tags(tags(m, labelValues))
                .description(m.help())
                .register(meters);
    }

    private static Tags tags(MetricCatalogue m, String... values) {
        if (values.length != m.labels().size()) {
            throw new IllegalArgumentException(
                    m.baseName()
                            + " takes labels "
                            + m.labels()
                            + ", got "
                            + values.length
                            + " values");
        }
        Tags t = Tags.empty();
        for (int i = 0; i < values.length; i++) t = t.and(m.labels().get(i), values[i]);
        return t;
    }

    private static void expect(MetricCatalogue m, MetricCatalogue.Type t) {
        if (m.type() != t) {
            throw new IllegalStateException(m.baseName() + " is a " + m.type() + ", not " + t);
        }
    }
}
