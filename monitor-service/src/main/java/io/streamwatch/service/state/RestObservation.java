package io.streamwatch.service.state;

import java.util.List;

/**
 * What one successful poll of a driver's REST API saw. Identity fields fill in what the listener
 * has not reported; {@code queuedBatches} and {@code receivers} are used only for apps without a
 * listener (the listener's own numbers are exact and more current).
 *
 * @param receivers may be null when unknown
 */
public record RestObservation(
        String appId,
        String sparkVersion,
        String uiUrl,
        Long batchIntervalMs,
        Long startTime,
        Integer queuedBatches,
        List<AppSnapshot.ReceiverView> receivers) {}
