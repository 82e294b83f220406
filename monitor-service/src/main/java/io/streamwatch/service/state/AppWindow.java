package io.streamwatch.service.state;

import java.util.List;

/**
 * What the alert rules see of one app at one instant: its recent completed batches and its
 * liveness, all times in the service's clock except the batches' own Spark timestamps.
 *
 * @param recent          completed batches of the current run, oldest first
 * @param lastSeen        when the service last heard from the app's listener
 * @param lastProgressAt  when the current run last completed a batch (or started, if none yet)
 * @param restUp          whether the driver's REST API answered its last poll; null when not polled
 * @param receiverErrorAt when a receiver error last arrived, 0 if never
 */
public record AppWindow(String app, String appId, Long batchIntervalMs, List<BatchRecord> recent, long now,
                        long lastSeen, boolean finished, long lastProgressAt, Boolean restUp,
                        long receiverErrorAt, String receiverError) {
    public AppWindow {
        recent = List.copyOf(recent);
    }

    public BatchRecord newest() {
        return recent.isEmpty() ? null : recent.get(recent.size() - 1);
    }
}
