package io.streamwatch.service.state;

import java.util.List;

/** A consistent, immutable view of one app at one instant, for the API and the metrics. */
public record AppSnapshot(
        String app,
        String appId,
        String attemptId,
        String appName,
        String sparkVersion,
        String uiUrl,
        String host,
        String state,
        Long batchIntervalMs,
        long firstSeen,
        long lastSeen,
        Long startTime,
        Long endTime,
        long restarts,
        long batchesCompleted,
        long batchesFailed,
        long recordsTotal,
        long receiverErrors,
        int waitingBatches,
        List<ReceiverView> receivers,
        BatchRecord lastBatch,
        Buckets.Snapshot processingTime,
        Buckets.Snapshot totalDelay,
        ListenerView listener,
        Boolean restUp) {

    public static final String RUNNING = "running";
    public static final String SILENT = "silent";
    public static final String FINISHED = "finished";

    /** True when a listener reports for this app (false for apps known only from REST polls). */
    public boolean hasListener() {
        return listener.instance() != null;
    }

    public boolean up() {
        return RUNNING.equals(state);
    }

    public int receiversActive() {
        return (int) receivers.stream().filter(ReceiverView::active).count();
    }

    /** Records of the last batch per second of batch interval; null while either is unknown. */
    public Double inputRate() {
        if (lastBatch == null || batchIntervalMs == null || batchIntervalMs <= 0) return null;
        return lastBatch.records() / (batchIntervalMs / 1000.0);
    }

    public record ReceiverView(int streamId, String name, boolean active, String location, String executorId,
                               long errors, String lastErrorMessage, Long lastErrorTime) {}

    /** What the listener itself reported: events it dropped, sequence gaps seen here, re-sent duplicates. */
    public record ListenerView(String instance, String listenerVersion, long eventsDropped, long eventsLost,
                               long duplicateEvents, long queued) {}
}
