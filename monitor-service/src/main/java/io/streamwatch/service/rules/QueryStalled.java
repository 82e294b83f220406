package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.service.state.QueryWindow;

/**
 * {@code StreamingQueryStalled}: the query is up (active or idle) and its app is up (heartbeat
 * fresh), but neither a progress nor an idle event came for 3 trigger intervals + {@code
 * appDownAfter} (without an interval: 3 × max(last {@code triggerExecution}, 1 s) + {@code
 * appDownAfter}). An idle query reports only every {@value #IDLE_REPORT_MS} ms (Spark's {@code
 * spark.sql.streaming.noDataProgressEventInterval}), so it is given at least that plus {@code
 * appDownAfter}. A silent app is {@code StreamingAppDown}'s page, not this one: then it holds.
 */
public final class QueryStalled extends NamedRule<QueryWindow> {
    public static final String NAME = "StreamingQueryStalled";

    /** Spark's default {@code spark.sql.streaming.noDataProgressEventInterval}. */
    static final long IDLE_REPORT_MS = 10_000;

    private final long downAfterMs;

    public QueryStalled(long downAfterMs) {
        super(NAME, Severity.CRITICAL, 1, Trigger.SILENCE);
        this.downAfterMs = downAfterMs;
    }

    /** How long the query may be silent before it counts as stalled. */
    long allowedSilenceMs(QueryWindow q) {
        Long interval = q.triggerIntervalMs();
        MicroBatch last = q.newest();
        long step =
                interval != null
                        ? interval
                        : Math.max(last == null ? 0 : last.triggerExecutionMs(), 1000);
        long allowed = 3 * step + downAfterMs;
        if (q.state().equals(QuerySnapshot.IDLE))
            allowed = Math.max(allowed, IDLE_REPORT_MS + downAfterMs);
        return allowed;
    }

    @Override
    public Check check(QueryWindow q) {
        if (!q.live() || q.appFinished()) return Check.clear();
        long silent = q.now() - q.lastEventAt();
        long allowed = allowedSilenceMs(q);
        if (silent <= allowed) return Check.clear();
        if (q.now() - q.appLastSeen() > downAfterMs) return Check.hold(); // AppDown's page
        return new Check(
                Verdict.FIRING,
                "no progress for "
                        + Format.seconds(silent)
                        + (q.triggerIntervalMs() == null
                                ? ""
                                : " (trigger interval "
                                        + Format.seconds(q.triggerIntervalMs())
                                        + ")"),
                "Query '"
                        + q.query()
                        + "' of app '"
                        + q.app()
                        + "' is "
                        + q.state()
                        + " and its app is alive, but it has reported neither progress nor idleness for "
                        + Format.seconds(silent)
                        + " (allowed "
                        + Format.seconds(allowed)
                        + "). A micro-batch is probably hung (a stuck sink or source, a lock, a task that never returns); "
                        + "the driver's UI shows the running job.");
    }
}
