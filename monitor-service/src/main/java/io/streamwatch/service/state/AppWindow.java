package io.streamwatch.service.state;

import java.util.List;

/**
 * What the alert rules see of one app at one instant: its recent completed batches, its liveness
 * and its recent Kafka lag, all times in the service's clock except the batches' own Spark
 * timestamps.
 *
 * @param recent completed batches of the current run, oldest first
 * @param lastSeen when the service last heard from the app's listener
 * @param lastProgressAt when the current run last completed a batch (or started, if none yet)
 * @param restUp whether the driver's REST API answered its last poll; null when not polled
 * @param receiverErrorAt when a receiver error last arrived, 0 if never
 * @param lag the app's Kafka lag, one sample per poll, oldest first (no samples without Kafka
 *     inputs)
 */
public record AppWindow(
        String app,
        String appId,
        Long batchIntervalMs,
        List<BatchRecord> recent,
        long now,
        long lastSeen,
        boolean finished,
        long lastProgressAt,
        Boolean restUp,
        long receiverErrorAt,
        String receiverError,
        LagWindow lag) {
    public AppWindow {
        recent = List.copyOf(recent);
        if (lag == null) lag = new LagWindow("app", app, List.of(), now);
    }

    /** Without Kafka lag samples. */
    public AppWindow(
            String app,
            String appId,
            Long batchIntervalMs,
            List<BatchRecord> recent,
            long now,
            long lastSeen,
            boolean finished,
            long lastProgressAt,
            Boolean restUp,
            long receiverErrorAt,
            String receiverError) {
        this(
                app,
                appId,
                batchIntervalMs,
                recent,
                now,
                lastSeen,
                finished,
                lastProgressAt,
                restUp,
                receiverErrorAt,
                receiverError,
                null);
    }

    public BatchRecord newest() {
        return recent.isEmpty() ? null : recent.get(recent.size() - 1);
    }
}
