package io.streamwatch.service.rules;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.metrics.Meters;
import io.streamwatch.service.metrics.MetricCatalogue;
import java.util.function.ToIntFunction;

/**
 * {@code streamwatch_alerts_firing{alertname,severity}}: how many subjects each rule's alert fires
 * for.
 */
final class FiringGauges {
    private FiringGauges() {}

    static void register(
            MeterRegistry meters, Iterable<? extends Rule<?>> rules, ToIntFunction<String> firing) {
        for (Rule<?> r : rules) {
            Meters.gauge(
                    MetricCatalogue.ALERTS_FIRING,
                    meters,
                    r,
                    rule -> firing.applyAsInt(rule.name()),
                    r.name(),
                    r.severity().label());
        }
    }
}
