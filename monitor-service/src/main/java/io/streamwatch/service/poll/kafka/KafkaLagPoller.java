package io.streamwatch.service.poll.kafka;

import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.rules.LagWindow;
import io.streamwatch.service.state.AppRegistry;
import java.time.Clock;
import java.util.List;

/** Polls Kafka lag of consumer groups and of Spark apps. (Being implemented.) */
public final class KafkaLagPoller implements AutoCloseable {
    public KafkaLagPoller(ServiceConfig.Kafka config, int window, AppRegistry registry, ServiceMetrics metrics, Clock clock) {
    }

    public KafkaLagPoller start() {
        return this;
    }

    /** Recent lag per app and per consumer group, oldest sample first, for the alert engine. */
    public List<LagWindow> lagWindows() {
        return List.of();
    }

    @Override
    public void close() {
    }
}
