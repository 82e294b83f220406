package io.streamwatch.service.state;

import java.util.List;

/**
 * What the alert rules see of one Structured Streaming query at one instant, all times in the
 * service's clock except the micro-batches' and the state samples' own Spark timestamps.
 *
 * @param state {@link QuerySnapshot#ACTIVE}, {@link QuerySnapshot#IDLE}, {@link
 *     QuerySnapshot#STOPPED} or {@link QuerySnapshot#FAILED}
 * @param triggerIntervalMs the processing-time trigger interval (read or inferred), else null
 * @param recent the newest micro-batches of the current run, oldest first
 * @param lastProgress when the last progress or idle event arrived, null before any
 * @param lastEventAt when the query's last event arrived (its start, a progress or idle event)
 * @param appLastSeen when the app's listener was last heard from
 * @param appFinished the app ended cleanly
 * @param exception Spark's exception text of the last run that failed, until a new run progresses
 * @param lag Kafka lag of the query as the service's poller measured it, summed over its topics,
 *     one sample per poll, oldest first (none without a polled broker)
 * @param stateHistory the query's state size over {@code alerting.stateGrowthWindow}, downsampled,
 *     oldest first
 */
public record QueryWindow(
        String app,
        String query,
        String runId,
        String state,
        Long triggerIntervalMs,
        List<MicroBatch> recent,
        long now,
        Long lastProgress,
        long lastEventAt,
        long appLastSeen,
        boolean appFinished,
        String exception,
        String errorClass,
        List<LagWindow.Sample> lag,
        List<StateHistory.Sample> stateHistory) {
    public QueryWindow {
        recent = List.copyOf(recent);
        lag = List.copyOf(lag);
        stateHistory = List.copyOf(stateHistory);
    }

    /** The query runs: active or idle. */
    public boolean live() {
        return state.equals(QuerySnapshot.ACTIVE) || state.equals(QuerySnapshot.IDLE);
    }

    public MicroBatch newest() {
        return recent.isEmpty() ? null : recent.get(recent.size() - 1);
    }
}
