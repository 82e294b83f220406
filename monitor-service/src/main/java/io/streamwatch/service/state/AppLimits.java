package io.streamwatch.service.state;

import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.model.Source;

/**
 * What one app may hold, checked before a listener request changes anything, so a refused request
 * leaves the app as it was: at most {@value Receivers#MAX_RECEIVERS} receivers, {@value
 * Queries#MAX_QUERIES} queries running at once, {@value KafkaPosition#MAX_TOPICS} Kafka topics and
 * {@value KafkaPosition#MAX_PARTITIONS} partitions in all, and at most {@value
 * RunIdentity#MAX_LABEL_CHANGES} changes of its identity (app id, attempt id, Spark version, UI
 * URL: the labels of {@code spark_streaming_app_info}) per minute. A new run (app id) starts
 * without receivers and Kafka offsets, so it is counted from zero.
 */
final class AppLimits {
    private AppLimits() {}

    /**
     * @throws AppLimitException naming the first limit the request would pass
     */
    static void admit(
            String app,
            RunIdentity run,
            Receivers receivers,
            KafkaPosition kafka,
            Queries queries,
            IngestBatch batch,
            long now) {
        Source src = batch.source();
        boolean current = src.appId().equals(run.appId());
        if (!current && run.known(src.appId())) return; // an older run's late request: only history
        receivers.admit(app, batch.events(), !current);
        kafka.admit(app, batch.events(), !current);
        queries.admit(app, batch.events(), !current);
        run.admit(app, src, now); // last: it counts the change it lets through
    }
}
