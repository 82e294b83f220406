package io.streamwatch.service.state;

import java.util.List;
import java.util.Map;

/**
 * One micro-batch of a Structured Streaming query, as kept in history and served by {@code
 * /api/v1/apps/{app}/queries/{query}/batches}. Exactly one per (app, query, queryId, batchId).
 *
 * @param timestamp Spark's progress timestamp (the trigger's start), epoch ms
 * @param durationMs Spark's map, with {@code triggerExecution}
 * @param watermark epoch ms, null without a watermark (or before it first advanced)
 * @param stateRows {@code numRowsTotal} summed over the state operators
 * @param stateMemoryBytes {@code memoryUsedBytes} summed over the state operators
 * @param lateRowsDropped {@code numRowsDroppedByWatermark} summed over the state operators
 */
public record MicroBatch(
        String queryId,
        String runId,
        long batchId,
        long timestamp,
        Map<String, Long> durationMs,
        long numInputRows,
        Double inputRowsPerSecond,
        Double processedRowsPerSecond,
        Long watermark,
        long stateRows,
        long stateMemoryBytes,
        long lateRowsDropped,
        List<Source> sources) {

    public MicroBatch {
        durationMs = Map.copyOf(durationMs);
        sources = List.copyOf(sources);
    }

    /** Spark's {@code triggerExecution}: the micro-batch's wall time; 0 when Spark omitted it. */
    public long triggerExecutionMs() {
        Long t = durationMs.get("triggerExecution");
        return t == null ? 0 : t;
    }

    /**
     * One source of the micro-batch. Offsets are Spark's JSON text (null when absent); the API
     * renders them as JSON values.
     */
    public record Source(
            String description,
            String startOffset,
            String endOffset,
            String latestOffset,
            long numInputRows) {}
}
