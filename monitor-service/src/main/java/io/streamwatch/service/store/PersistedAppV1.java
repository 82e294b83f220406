package io.streamwatch.service.store;

import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchLedger;
import io.streamwatch.service.state.Buckets;
import io.streamwatch.service.state.KafkaPosition;
import io.streamwatch.service.state.ListenerDelivery;
import io.streamwatch.service.state.PersistedApp;
import io.streamwatch.service.state.Receivers;
import io.streamwatch.service.state.RunIdentity;
import java.util.List;
import java.util.Map;

/**
 * An app's state as releases before {@link PersistedApp#VERSION} 2 stored it: one flat record. Read
 * only, and turned into today's form at once, so that an existing database restores as it was.
 */
record PersistedAppV1(
        int version,
        String app,
        long firstSeen,
        String appId,
        String attemptId,
        String appName,
        String sparkVersion,
        String uiUrl,
        String host,
        String instance,
        String listenerVersion,
        Long startTime,
        Long endTime,
        boolean finished,
        Long batchIntervalMs,
        Long inferredIntervalMs,
        long lastSeen,
        long lastProgressAt,
        boolean hasListener,
        Map<String, Map<Integer, Long>> kafkaOffsets,
        long kafkaOffsetsBatchTime,
        long kafkaOffsetsObservedAt,
        long receiverErrorAt,
        String receiverError,
        long restarts,
        long batchesCompleted,
        long batchesFailed,
        long recordsTotal,
        long receiverErrors,
        List<AppSnapshot.ReceiverView> receivers,
        Buckets.Snapshot processingTime,
        Buckets.Snapshot totalDelay,
        Map<String, long[]> watermarks,
        List<String> knownRuns,
        long eventsDropped,
        long eventsLost,
        long duplicateEvents) {

    PersistedApp current() {
        return new PersistedApp(
                PersistedApp.VERSION,
                app,
                new RunIdentity.Persisted(
                        firstSeen,
                        appId,
                        attemptId,
                        appName,
                        sparkVersion,
                        uiUrl,
                        host,
                        startTime,
                        endTime,
                        finished,
                        batchIntervalMs,
                        lastSeen,
                        lastProgressAt,
                        restarts,
                        knownRuns),
                new BatchLedger.Persisted(
                        batchesCompleted,
                        batchesFailed,
                        recordsTotal,
                        processingTime,
                        totalDelay,
                        inferredIntervalMs),
                new ListenerDelivery.Persisted(
                        hasListener,
                        instance,
                        listenerVersion,
                        watermarks,
                        eventsDropped,
                        eventsLost,
                        duplicateEvents),
                new Receivers.Persisted(receivers, receiverErrors, receiverErrorAt, receiverError),
                new KafkaPosition.Persisted(
                        kafkaOffsets, kafkaOffsetsBatchTime, kafkaOffsetsObservedAt),
                null,
                null);
    }
}
