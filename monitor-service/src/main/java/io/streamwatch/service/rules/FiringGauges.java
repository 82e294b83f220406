package io.streamwatch.service.rules;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.metrics.Meters;
import io.streamwatch.service.metrics.MetricCatalogue;
import java.util.HashSet;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * {@code streamwatch_alerts_firing{alertname,severity}}: how many subjects each alert fires for,
 * apps and queries together (a query's {@code StreamingBatchTooSlow} counts with the apps').
 */
final class FiringGauges {
    private FiringGauges() {}

    static void register(
            MeterRegistry meters, Iterable<? extends Rule<?>> rules, ToIntFunction<String> firing) {
        Set<String> registered = new HashSet<>();
        for (Rule<?> r : rules) {
            if (!registered.add(r.name())) continue; // one series per alertname
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
