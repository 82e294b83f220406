package io.streamwatch.service.state;

import java.util.List;

/**
 * A consistent, immutable view of one app at one instant, for the API and the metrics: each part's
 * slice as it is, and the few facts that take more than one part to tell.
 *
 * @param state {@link #RUNNING}, {@link #SILENT} or {@link #FINISHED}
 * @param batchIntervalMs as reported, else as inferred from consecutive batches; null while unknown
 * @param waitingBatches submitted, not yet started (from the driver's REST API for apps without a
 *     listener)
 * @param receivers every receiver known, by stream id (from REST for apps without a listener)
 * @param queries the app's Structured Streaming queries, by query key
 */
public record AppSnapshot(
        String app,
        String state,
        Long batchIntervalMs,
        int waitingBatches,
        List<ReceiverView> receivers,
        RunIdentity.View run,
        BatchLedger.View batches,
        ListenerDelivery.View listener,
        Receivers.View receiving,
        RestView.View rest,
        List<QuerySnapshot> queries) {

    public static final String RUNNING = "running";
    public static final String SILENT = "silent";
    public static final String FINISHED = "finished";

    public AppSnapshot {
        receivers = List.copyOf(receivers);
        queries = List.copyOf(queries);
    }

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

    /** The newest completed batch, or null. */
    public BatchRecord lastBatch() {
        return batches.last();
    }

    /** Records of the last batch per second of batch interval; null while either is unknown. */
    public Double inputRate() {
        BatchRecord last = batches.last();
        if (last == null || batchIntervalMs == null || batchIntervalMs <= 0) return null;
        return last.records() / (batchIntervalMs / 1000.0);
    }

    public record ReceiverView(
            int streamId,
            String name,
            boolean active,
            String location,
            String executorId,
            long errors,
            String lastErrorMessage,
            Long lastErrorTime) {}
}
