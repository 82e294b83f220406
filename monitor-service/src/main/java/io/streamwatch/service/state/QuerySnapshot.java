package io.streamwatch.service.state;

import java.util.List;

/**
 * A consistent, immutable view of one Structured Streaming query of an app, for the API and the
 * metrics.
 *
 * @param query the query key: its name when it has one, else its id
 * @param state {@link #ACTIVE}, {@link #IDLE}, {@link #STOPPED} or {@link #FAILED}
 * @param up the query runs (active or idle) and its app is up
 * @param trigger the trigger kind the listener read ({@code processingTime}, {@code default},
 *     {@code once}, {@code availableNow}, {@code continuous}, {@code realTime}, {@code unknown}),
 *     null when it could not be read
 * @param triggerIntervalMs the processing-time trigger interval; null unless one applies
 * @param triggerIntervalSource {@code spark} (read from the running query) or {@code inferred}
 *     (from progress timestamps); null when {@code triggerIntervalMs} is null
 * @param lastProgress service time of the last progress or idle event (epoch ms), null before
 * @param exception Spark's exception text of the last run, null unless {@link #FAILED}
 * @param errorClass Spark's error class of that exception (3.5+), or null
 * @param restarts new run ids seen for this query key
 * @param failures runs that ended with an exception
 * @param batchesCompleted micro-batches recorded (each batchId once)
 * @param inputRows sum of {@code numInputRows} over those
 * @param lateRowsDropped sum of rows dropped by the watermark over those
 * @param batchDuration {@code triggerExecution} of every recorded micro-batch
 * @param last the newest micro-batch, or null
 * @param kafkaLag per topic, from the broker's end offsets against {@code last}'s end offsets;
 *     empty when the query reads no Kafka topic or the service polls no broker
 */
public record QuerySnapshot(
        String query,
        String queryId,
        String runId,
        String name,
        String state,
        boolean up,
        String trigger,
        Long triggerIntervalMs,
        String triggerIntervalSource,
        Long lastProgress,
        String exception,
        String errorClass,
        long restarts,
        long failures,
        long batchesCompleted,
        long inputRows,
        long lateRowsDropped,
        Buckets.Snapshot batchDuration,
        MicroBatch last,
        List<TopicLag> kafkaLag) {

    public static final String ACTIVE = "active";
    public static final String IDLE = "idle";
    public static final String STOPPED = "stopped";
    public static final String FAILED = "failed";

    public QuerySnapshot {
        kafkaLag = List.copyOf(kafkaLag);
    }

    /**
     * Lag of one topic.
     *
     * @param seconds estimated time behind the head; null when it cannot be estimated
     */
    public record TopicLag(String topic, long records, Double seconds) {}
}
