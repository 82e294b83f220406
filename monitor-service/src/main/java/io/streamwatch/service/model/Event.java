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

    /**
     * How a query is triggered, read by the listener from the running query; null where it could
     * not be read (then the service infers the interval from progress timestamps).
     *
     * @param kind {@code processingTime}, {@code default} (processing time 0: as fast as possible),
     *     {@code once}, {@code availableNow}, {@code continuous}, {@code realTime} or {@code
     *     unknown}
     * @param intervalMs the interval for {@code processingTime} (and {@code continuous}: its
     *     checkpoint interval); null for the others
     */
    record Trigger(String kind, Long intervalMs) {}

    /** Spark's {@code QueryStartedEvent}. {@code timestamp} is epoch ms (null on Spark 3.0). */
    record QueryStarted(
            long seq,
            long time,
            String queryId,
            String runId,
            String name,
            Long timestamp,
            Trigger trigger)
            implements Event {}

    /** Spark's {@code QueryProgressEvent}; {@code trigger} as on {@link QueryStarted}. */
    record QueryProgress(long seq, long time, Progress progress, Trigger trigger)
            implements Event {}

    /** Spark's {@code QueryIdleEvent} (3.5+): the query runs but had no new data. */
    record QueryIdle(long seq, long time, String queryId, String runId, String name, long timestamp)
            implements Event {}

    /**
     * Spark's {@code QueryTerminatedEvent}. {@code exception} is Spark's text (message and stack
     * trace, cut to 2048 chars), null for a clean stop; {@code errorClass} is 3.5+.
     */
    record QueryTerminated(
            long seq,
            long time,
            String queryId,
            String runId,
            String name,
            String exception,
            String errorClass)
            implements Event {}

    /**
     * Spark's {@code StreamingQueryProgress}. Timestamps are epoch ms; {@code durationMs} is
     * Spark's map (a micro-batch that ran has {@code addBatch}; Spark 3.4's no-data progress does
     * not); {@code eventTime} holds {@code min}, {@code max}, {@code avg}, {@code watermark} as
     * Spark reported them (epoch ms). Rates are null where Spark had NaN or infinity.
     */
    record Progress(
            String queryId,
            String runId,
            String name,
            long timestamp,
            long batchId,
            Long batchDurationMs,
            java.util.Map<String, Long> durationMs,
            java.util.Map<String, Long> eventTime,
            long numInputRows,
            Double inputRowsPerSecond,
            Double processedRowsPerSecond,
            List<StateOperator> stateOperators,
            List<SourceProgress> sources,
            SinkProgress sink) {
        public Progress {
            durationMs = java.util.Map.copyOf(durationMs);
            eventTime = java.util.Map.copyOf(eventTime);
            stateOperators = List.copyOf(stateOperators);
            sources = List.copyOf(sources);
        }
    }

    record StateOperator(
            String operatorName,
            long numRowsTotal,
            long numRowsUpdated,
            long memoryUsedBytes,
            long numRowsDroppedByWatermark) {}

    /**
     * Offsets are Spark's JSON text (a number for the rate source, {@code {"topic":{"0":12}}} for
     * Kafka), null when absent or over the size bound.
     */
    record SourceProgress(
            String description,
            String startOffset,
            String endOffset,
            String latestOffset,
            long numInputRows,
            Double inputRowsPerSecond,
            Double processedRowsPerSecond,
            java.util.Map<String, String> metrics) {
        public SourceProgress {
            metrics = java.util.Map.copyOf(metrics);
        }
    }

    record SinkProgress(String description, Long numOutputRows) {}
}
