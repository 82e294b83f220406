package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;

/** One completed batch as kept in history and served by {@code /api/v1/apps/{app}/batches}. */
public record BatchRecord(
        String appId,
        long batchTime,
        long submissionTime,
        long processingStartTime,
        long processingEndTime,
        long schedulingDelayMs,
        long processingTimeMs,
        long totalDelayMs,
        long records,
        boolean failed,
        String failureReason,
        boolean backfilled) {

    /** Processing end minus batch time: also catches batches that were submitted late. */
    public long endToEndDelayMs() {
        return Math.max(0, processingEndTime - batchTime);
    }

    static BatchRecord completed(String appId, Event.Batch b) {
        String reason = b.failureReason();
        if (reason == null) {
            reason =
                    b.outputOps().stream()
                            .map(Event.OutputOp::failureReason)
                            .filter(r -> r != null)
                            .findFirst()
                            .orElse(null);
        }
        boolean failed = b.failed() || reason != null;
        return new BatchRecord(
                appId,
                b.batchTime(),
                b.submissionTime(),
                b.processingStartTime(),
                b.processingEndTime(),
                b.schedulingDelayMs(),
                b.processingTimeMs(),
                b.totalDelayMs(),
                b.records(),
                failed,
                reason,
                false);
    }
}
