package io.streamwatch.service.state;

import java.util.List;
import java.util.Map;

/**
 * Everything about one app that survives a restart, except its batches (stored apart). Written
 * as JSON by the store; {@code version} lets a later release read what an earlier one wrote.
 * Not kept: batches waiting to start (the listener reports new ones at once) and REST snapshots.
 */
public record PersistedApp(
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
    public static final int VERSION = 1;
}
