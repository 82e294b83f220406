package io.streamwatch.service.rules;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToIntFunction;

/**
 * {@code streamwatch_alerts_firing{alertname,severity}}: how many subjects each rule's alert fires
 * for.
 */
final class FiringGauges {
    static final String NAME = "streamwatch.alerts.firing";
    static final String HELP = "Alerts currently firing";

    private FiringGauges() {}

    static void register(
            MeterRegistry meters, Iterable<? extends Rule<?>> rules, ToIntFunction<String> firing) {
        for (Rule<?> r : rules) {
            Gauge.builder(NAME, () -> firing.applyAsInt(r.name()))
                    .tags("alertname", r.name(), "severity", r.severity().label())
                    .description(HELP)
                    .register(meters);
        }
    }
}
