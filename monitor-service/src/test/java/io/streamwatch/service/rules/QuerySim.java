package io.streamwatch.service.rules;

import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.service.state.QueryWindow;
import io.streamwatch.service.state.StateHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Micro-batch sequences of one Structured Streaming query, and the windows the query rules see of
 * them.
 */
final class QuerySim {
    static final long T0 = 1_790_000_000_000L;
    static final String RUN = "run-1";

    private QuerySim() {}

    /**
     * A micro-batch of a rate-source query; {@code behind}: null, else a Kafka source so far
     * behind.
     */
    static MicroBatch batch(
            String runId,
            long batchId,
            long timestamp,
            long triggerMs,
            double inRate,
            double processedRate,
            Long behind,
            long stateRows,
            long stateBytes) {
        long end = batchId * 100;
        MicroBatch.Source source =
                behind == null
                        ? new MicroBatch.Source(
                                "RateStreamV2[rowsPerSecond=10]", "0", "10", "10", 10)
                        : new MicroBatch.Source(
                                "KafkaV2[Subscribe[orders]]",
                                "{\"orders\":{\"0\":" + (end - 100) + "}}",
                                "{\"orders\":{\"0\":" + end / 2 + ",\"1\":" + end / 2 + "}}",
                                "{\"orders\":{\"0\":"
                                        + (end / 2 + behind / 2)
                                        + ",\"1\":"
                                        + (end / 2 + behind - behind / 2)
                                        + "}}",
                                100);
        return new MicroBatch(
                "id-1",
                runId,
                batchId,
                timestamp,
                Map.of("triggerExecution", triggerMs, "addBatch", triggerMs / 2),
                100,
                inRate,
                processedRate,
                null,
                stateRows,
                stateBytes,
                0,
                List.of(source));
    }

    /** Micro-batches every {@code intervalMs}, each running the given {@code triggerExecution}. */
    static List<MicroBatch> durations(long intervalMs, long... triggerMs) {
        List<MicroBatch> out = new ArrayList<>();
        for (int i = 0; i < triggerMs.length; i++)
            out.add(batch(RUN, i, T0 + i * intervalMs, triggerMs[i], 10, 12.5, null, 0, 0));
        return out;
    }

    /** Kafka micro-batches every second, processing 100 rows/s, {@code behind} records behind. */
    static List<MicroBatch> behind(long... behind) {
        List<MicroBatch> out = new ArrayList<>();
        for (int i = 0; i < behind.length; i++)
            out.add(batch(RUN, i, T0 + i * 1000, 500, 100, 100, behind[i], 0, 0));
        return out;
    }

    /** A window over {@code recent} (all of the current run) at the newest micro-batch's time. */
    static QueryWindow window(String state, Long intervalMs, List<MicroBatch> recent) {
        long now = recent.isEmpty() ? T0 : recent.get(recent.size() - 1).timestamp() + 1000;
        return new QueryWindow(
                "orders",
                "enrich",
                recent.isEmpty() ? RUN : recent.get(recent.size() - 1).runId(),
                state,
                intervalMs,
                recent,
                now,
                now,
                now,
                now,
                false,
                null,
                null,
                List.of(),
                List.of());
    }

    static QueryWindow active(Long intervalMs, List<MicroBatch> recent) {
        return window(QuerySnapshot.ACTIVE, intervalMs, recent);
    }

    static QueryWindow withLag(QueryWindow w, List<LagWindow.Sample> lag) {
        return new QueryWindow(
                w.app(),
                w.query(),
                w.runId(),
                w.state(),
                w.triggerIntervalMs(),
                w.recent(),
                w.now(),
                w.lastProgress(),
                w.lastEventAt(),
                w.appLastSeen(),
                w.appFinished(),
                w.exception(),
                w.errorClass(),
                lag,
                w.stateHistory());
    }

    static QueryWindow withStates(QueryWindow w, List<StateHistory.Sample> states) {
        return new QueryWindow(
                w.app(),
                w.query(),
                w.runId(),
                w.state(),
                w.triggerIntervalMs(),
                w.recent(),
                w.now(),
                w.lastProgress(),
                w.lastEventAt(),
                w.appLastSeen(),
                w.appFinished(),
                w.exception(),
                w.errorClass(),
                w.lag(),
                states);
    }

    /**
     * Fires and resolves of {@code rule} over the windows in order, as the alert machine sees them.
     */
    static Sim.Timeline replay(Rule<QueryWindow> rule, List<QueryWindow> windows) {
        Sim.Timeline t = new Sim.Timeline();
        boolean firing = false;
        for (int n = 0; n < windows.size(); n++) {
            Verdict v = rule.check(windows.get(n)).verdict();
            if (v == Verdict.FIRING && !firing) {
                firing = true;
                t.fired.add(n);
            } else if (v == Verdict.CLEAR && firing) {
                firing = false;
                t.resolved.add(n);
            }
        }
        return t;
    }

    /** The windows after each micro-batch: the newest {@code size} of them. */
    static List<QueryWindow> growing(Long intervalMs, List<MicroBatch> batches, int size) {
        List<QueryWindow> out = new ArrayList<>();
        for (int n = 1; n <= batches.size(); n++)
            out.add(active(intervalMs, batches.subList(Math.max(0, n - size), n)));
        return out;
    }
}
