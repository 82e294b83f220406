package io.streamwatch.service.rules;

import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.QueryWindow;
import java.util.List;

/** The alert rules Streamwatch ships, configured from {@code alerting}. */
public final class BuiltInRules {
    private BuiltInRules() {}

    /** The rules over each app's window of batches. */
    public static List<Rule<AppWindow>> apps(ServiceConfig.Alerting a) {
        long downAfter = a.appDownAfter().toMillis();
        return List.of(
                new BatchTooSlow(a.slowBatches()),
                new DelayGrowing(a.delayWindow()),
                new AppDown(downAfter),
                new AppStalled(downAfter),
                new BatchFailed(a.slowBatches()),
                new ReceiverError(Math.max(downAfter, 60_000)));
    }

    /** The rules over each Structured Streaming query's window of micro-batches. */
    public static List<Rule<QueryWindow>> queries(ServiceConfig.Alerting a) {
        return List.of(
                new MicroBatchTooSlow(a.slowBatches()),
                new BacklogGrowing(a.delayWindow()),
                new QueryFailed(),
                new QueryStalled(a.appDownAfter().toMillis()),
                new StateGrowing(a.stateGrowthWindow().toMillis()));
    }

    /** The rules over Kafka consumer lag (only with {@code kafka.bootstrapServers} set). */
    public static List<Rule<LagWindow>> kafkaLag(ServiceConfig.Alerting a) {
        return List.of(new KafkaLagGrowing(a.delayWindow(), a.kafkaLagFloor().toMillis() / 1000.0));
    }
}
