package io.streamwatch.service.model;

import java.util.List;

/** A listener event, validated. {@code seq} is 0 for heartbeats, which are never de-duplicated. */
public sealed interface Event {
    long seq();

    long time();

    record Heartbeat(long time) implements Event {
        @Override
        public long seq() {
            return 0;
        }
    }

    record AppStart(long seq, long time, String appName, long startTime, String user)
            implements Event {}

    record AppEnd(long seq, long time, long endTime) implements Event {}

    record StreamingStarted(long seq, long time, long startTime, Long batchIntervalMs)
            implements Event {}

    enum BatchPhase {
        SUBMITTED,
        STARTED,
        COMPLETED
    }

    record BatchEvent(long seq, long time, BatchPhase phase, Batch batch) implements Event {}

    enum ReceiverPhase {
        STARTED,
        STOPPED,
        ERROR
    }

    record ReceiverEvent(long seq, long time, ReceiverPhase phase, Receiver receiver)
            implements Event {}

    /**
     * Spark's {@code BatchInfo}, as the listener saw it. Nullable fields are unknown before
     * completion.
     */
    record Batch(
            long batchTime,
            long submissionTime,
            Long processingStartTime,
            Long processingEndTime,
            Long schedulingDelayMs,
            Long processingTimeMs,
            Long totalDelayMs,
            long records,
            List<Input> inputs,
            List<OutputOp> outputOps,
            boolean failed,
            String failureReason) {
        public Batch {
            inputs = List.copyOf(inputs);
            outputOps = List.copyOf(outputOps);
        }
    }

    record Input(int streamId, long records, String description, List<OffsetRange> offsets) {
        public Input {
            offsets = List.copyOf(offsets);
        }
    }

    record OffsetRange(String topic, int partition, long fromOffset, long untilOffset) {}

    record OutputOp(int id, String name, String failureReason) {}

    record Receiver(
            int streamId,
            String name,
            boolean active,
            String location,
            String executorId,
            String lastErrorMessage,
            String lastError) {}
}
