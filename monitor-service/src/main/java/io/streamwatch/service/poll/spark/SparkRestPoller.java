package io.streamwatch.service.poll.spark;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.state.AppRegistry;
import java.time.Clock;

/** Polls each Spark driver's REST API. (Being implemented.) */
public final class SparkRestPoller implements AutoCloseable {
    public SparkRestPoller(ServiceConfig.Spark config, AppRegistry registry, MeterRegistry meters, Clock clock) {
    }

    public SparkRestPoller start() {
        return this;
    }

    @Override
    public void close() {
    }
}
