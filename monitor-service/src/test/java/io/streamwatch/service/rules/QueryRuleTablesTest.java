package io.streamwatch.service.rules;

import static io.streamwatch.service.rules.QuerySim.T0;
import static io.streamwatch.service.rules.Sim.alternate;
import static io.streamwatch.service.rules.Sim.concat;
import static io.streamwatch.service.rules.Sim.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.service.state.QueryWindow;
import io.streamwatch.service.state.StateHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each query rule against the micro-batch shapes that matter: which ones page, when, and when they
 * resolve.
 */
class QueryRuleTablesTest {
    private static final long SEC = 1000;

    // StreamingBatchTooSlow: triggerExecution against a 1 s trigger, 3 in a row.

    static Stream<Arguments> slowMicroBatches() {
        return Stream.of(
                Arguments.of("steady", repeat(400, 20), List.of(), List.of()),
                Arguments.of(
                        "single spike",
                        concat(repeat(400, 5), new long[] {2500}, repeat(400, 5)),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "sawtooth around the interval",
                        alternate(1200, 600, 10),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "at the interval is not over it", repeat(1000, 10), List.of(), List.of()),
                Arguments.of(
                        "climb: overload",
                        concat(repeat(400, 3), repeat(1500, 6)),
                        List.of(5),
                        List.of()),
                Arguments.of(
                        "overload then recovery",
                        concat(repeat(400, 3), repeat(1500, 6), repeat(300, 6)),
                        List.of(5),
                        List.of(11)),
                Arguments.of(
                        "recovery needs three fast micro-batches in a row",
                        concat(repeat(1500, 4), new long[] {500, 500, 1500, 500, 500, 500}),
                        List.of(2),
                        List.of(9)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slowMicroBatches")
    void microBatchTooSlow(
            String name, long[] triggerMs, List<Integer> fired, List<Integer> resolved) {
        Sim.Timeline t =
                QuerySim.replay(
                        new MicroBatchTooSlow(3),
                        QuerySim.growing(SEC, QuerySim.durations(SEC, triggerMs), 10));
        assertEquals(fired, t.fired, t::toString);
        assertEquals(resolved, t.resolved, t::toString);
    }

    @Test
    void microBatchTooSlowHoldsWithoutATriggerInterval() {
        List<MicroBatch> slow = QuerySim.durations(SEC, repeat(60_000, 5));
        assertEquals(
                Verdict.HOLD,
                new MicroBatchTooSlow(3).check(QuerySim.active(null, slow)).verdict());
    }

    @Test
    void microBatchTooSlowSaysByHowMuch() {
        Check c =
                new MicroBatchTooSlow(3)
                        .check(QuerySim.active(SEC, QuerySim.durations(SEC, 1700, 1700, 1700)));
        assertEquals(Verdict.FIRING, c.verdict());
        assertEquals("micro-batch 1.7 s > trigger interval 1.0 s for 3 micro-batches", c.summary());
        assertTrue(c.description().contains("Query 'enrich' of app 'orders'"), c.description());
        Check pending =
                new MicroBatchTooSlow(3)
                        .check(QuerySim.active(SEC, QuerySim.durations(SEC, 400, 1700)));
        assertEquals(Verdict.PENDING, pending.verdict());
    }

    @Test
    void microBatchTooSlowCountsOnlyTheCurrentRun() {
        // Two slow micro-batches of run 2 after a restart: the window holds only run 2.
        List<MicroBatch> run2 = new ArrayList<>();
        for (int i = 0; i < 2; i++)
            run2.add(QuerySim.batch("run-2", 10 + i, T0 + i * SEC, 1500, 10, 12.5, null, 0, 0));
        assertEquals(
                Verdict.PENDING,
                new MicroBatchTooSlow(3).check(QuerySim.active(SEC, run2)).verdict());
    }

    @Test
    void anIdleQueryKeepsItsSlowVerdictUntilItsNextMicroBatches() {
        // Idle triggers add no micro-batch: a slow query with idle gaps must not flap.
        List<MicroBatch> slow = QuerySim.durations(SEC, repeat(1500, 3));
        assertEquals(
                Verdict.FIRING,
                new MicroBatchTooSlow(3)
                        .check(QuerySim.window(QuerySnapshot.IDLE, SEC, slow))
                        .verdict());
    }

    @Test
    void microBatchTooSlowClearsWhenTheQueryFailsAndHoldsWhileItIsStopped() {
        List<MicroBatch> slow = QuerySim.durations(SEC, repeat(1500, 5));
        assertEquals(
                Verdict.CLEAR,
                new MicroBatchTooSlow(3)
                        .check(QuerySim.window(QuerySnapshot.FAILED, SEC, slow))
                        .verdict());
        // A stop tells nothing new about its micro-batches; the subject clears it after a grace.
        assertEquals(
                Verdict.HOLD,
                new MicroBatchTooSlow(3)
                        .check(QuerySim.window(QuerySnapshot.STOPPED, SEC, slow))
                        .verdict());
    }

    // StreamingDelayGrowing: Kafka offsets behind latest, processing 100 rows/s (1 s = 100
    // records).

    static long[] climb(long step, int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = step * (i + 1);
        return a;
    }

    static Stream<Arguments> backlogs() {
        long[] down = new long[8];
        for (int i = 0; i < down.length; i++) down[i] = Math.max(0, 2400 - 300 * (i + 1));
        return Stream.of(
                Arguments.of("steady and small", repeat(50, 30), List.of(), List.of()),
                Arguments.of("steady far behind", repeat(500, 30), List.of(), List.of()),
                Arguments.of(
                        "single spike",
                        concat(repeat(300, 10), new long[] {3000}, repeat(300, 15)),
                        List.of(),
                        List.of()),
                Arguments.of("sawtooth", alternate(1500, 500, 15), List.of(), List.of()),
                Arguments.of(
                        "tiny backlog that rises does not page",
                        concat(repeat(1, 5), new long[] {5, 10, 20, 30, 40, 50, 60, 70, 80, 90}),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "climb", concat(repeat(50, 5), climb(200, 15)), List.of(10), List.of()),
                Arguments.of(
                        "climb then recovery",
                        concat(repeat(50, 5), climb(200, 12), down),
                        List.of(10),
                        List.of(20)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backlogs")
    void backlogGrowing(String name, long[] behind, List<Integer> fired, List<Integer> resolved) {
        Sim.Timeline t =
                QuerySim.replay(
                        new BacklogGrowing(10), QuerySim.growing(SEC, QuerySim.behind(behind), 10));
        assertEquals(fired, t.fired, t::toString);
        assertEquals(resolved, t.resolved, t::toString);
    }

    @Test
    void backlogGrowingSaysHowFarBehindInRecordsAndTime() {
        List<MicroBatch> b = QuerySim.behind(concat(repeat(50, 5), climb(200, 15)));
        Check c = new BacklogGrowing(10).check(QuerySim.active(SEC, b.subList(10, 20)));
        assertEquals(Verdict.FIRING, c.verdict());
        assertEquals(
                "backlog rose from 1,200 to 3,000 records over 10 micro-batches (30 s behind)",
                c.summary());
    }

    @Test
    void theTimeBehindOfACappedQueryIsItsBacklogOverTheRateItReallyDrains() {
        // Each micro-batch runs its 100 rows at 1,000 rows/s, but one starts only every second
        // (its trigger, or maxOffsetsPerTrigger): the query drains 100 rows/s, not 1,000.
        long[] behind = concat(repeat(50, 5), climb(200, 15));
        List<MicroBatch> b = new ArrayList<>();
        for (int i = 0; i < behind.length; i++)
            b.add(QuerySim.batch("run-1", i, T0 + i * SEC, 100, 100, 1000, behind[i], 0, 0));
        Check c = new BacklogGrowing(10).check(QuerySim.active(SEC, b.subList(10, 20)));
        assertEquals(Verdict.FIRING, c.verdict());
        assertEquals(
                "backlog rose from 1,200 to 3,000 records over 10 micro-batches (30 s behind)",
                c.summary());
    }

    @Test
    void backlogGrowingClearsWhenTheQueryGoesIdleOrAfterARestartCaughtUp() {
        List<MicroBatch> b = QuerySim.behind(concat(repeat(50, 5), climb(200, 15)));
        BacklogGrowing rule = new BacklogGrowing(10);
        assertEquals(
                Verdict.CLEAR,
                rule.check(QuerySim.window(QuerySnapshot.IDLE, SEC, b.subList(10, 20))).verdict());
        // Restart: the new run's two micro-batches are caught up.
        List<MicroBatch> run2 =
                List.of(
                        QuerySim.batch("run-2", 20, T0 + 30 * SEC, 500, 100, 100, 20L, 0, 0),
                        QuerySim.batch("run-2", 21, T0 + 31 * SEC, 500, 100, 100, 10L, 0, 0));
        assertEquals(Verdict.CLEAR, rule.check(QuerySim.active(SEC, run2)).verdict());
        // Restart still far behind: too few micro-batches to tell, the alert holds.
        List<MicroBatch> behind =
                List.of(QuerySim.batch("run-2", 20, T0 + 30 * SEC, 500, 100, 100, 3000L, 0, 0));
        assertEquals(Verdict.HOLD, rule.check(QuerySim.active(SEC, behind)).verdict());
    }

    @Test
    void withoutKafkaOffsetsTheServicePolledLagIsTheBacklog() {
        List<MicroBatch> rate = QuerySim.durations(SEC, repeat(500, 3));
        List<LagWindow.Sample> rising = new ArrayList<>();
        List<LagWindow.Sample> flat = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rising.add(
                    new LagWindow.Sample(T0 + i * 15_000, 1000L * (i + 1), 10.0 * (i + 1), false));
            flat.add(new LagWindow.Sample(T0 + i * 15_000, 5000, 50.0, false));
        }
        BacklogGrowing rule = new BacklogGrowing(10);
        Check c = rule.check(QuerySim.withLag(QuerySim.active(SEC, rate), rising));
        assertEquals(Verdict.FIRING, c.verdict());
        assertEquals(
                "backlog rose from 1,000 to 10,000 records over 10 polls (100 s behind)",
                c.summary());
        assertEquals(
                Verdict.CLEAR,
                rule.check(QuerySim.withLag(QuerySim.active(SEC, rate), flat)).verdict());
    }

    @Test
    void withoutOffsetsOrLagAnInputRateAboveTheProcessingRateIsTheBacklog() {
        List<MicroBatch> overrun = new ArrayList<>();
        List<MicroBatch> keepingUp = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            overrun.add(QuerySim.batch(QuerySim.RUN, i, T0 + i * 2000, 1900, 150, 100, null, 0, 0));
            keepingUp.add(
                    QuerySim.batch(QuerySim.RUN, i, T0 + i * 2000, 500, 100, 400, null, 0, 0));
        }
        BacklogGrowing rule = new BacklogGrowing(10);
        assertEquals(Verdict.FIRING, rule.check(QuerySim.active(SEC, overrun)).verdict());
        assertEquals(Verdict.CLEAR, rule.check(QuerySim.active(SEC, keepingUp)).verdict());
    }

    // StreamingQueryFailed: a lifecycle, not a sequence of numbers.

    private static QueryWindow lifecycle(
            String state, String runId, String exception, boolean appEnded) {
        return new QueryWindow(
                "orders",
                "enrich",
                runId,
                state,
                SEC,
                List.of(),
                T0,
                T0,
                T0,
                T0,
                appEnded,
                exception,
                exception == null ? null : "STREAM_FAILED",
                List.of(),
                List.of());
    }

    @Test
    void queryFailedFiresStaysThroughTheAppsEndAndResolvesWhenANewRunProgresses() {
        List<QueryWindow> life =
                List.of(
                        lifecycle(QuerySnapshot.ACTIVE, "run-1", null, false),
                        lifecycle(
                                QuerySnapshot.FAILED,
                                "run-1",
                                "java.lang.IllegalStateException: boom\n\tat x",
                                false),
                        lifecycle(
                                QuerySnapshot.FAILED,
                                "run-1",
                                "java.lang.IllegalStateException: boom",
                                true),
                        // a new run started (app restarted), no progress yet: still carries the
                        // failure
                        lifecycle(
                                QuerySnapshot.ACTIVE,
                                "run-2",
                                "java.lang.IllegalStateException: boom",
                                false),
                        lifecycle(QuerySnapshot.ACTIVE, "run-2", null, false));
        Sim.Timeline t = QuerySim.replay(new QueryFailed(), life);
        assertEquals(List.of(1), t.fired, t::toString);
        assertEquals(List.of(4), t.resolved, t::toString);
        Check c = new QueryFailed().check(life.get(1));
        assertEquals(
                "query failed: [STREAM_FAILED] java.lang.IllegalStateException: boom", c.summary());
    }

    @Test
    void aCleanStopIsNoFailure() {
        assertEquals(
                Verdict.CLEAR,
                new QueryFailed()
                        .check(lifecycle(QuerySnapshot.STOPPED, "run-1", null, false))
                        .verdict());
    }

    // StreamingQueryStalled: the same query at different instants (appDownAfter 30 s, 1 s trigger).

    private static QueryWindow silent(
            String state, Long intervalMs, long silentMs, long appSilentMs, long lastTriggerMs) {
        long now = T0 + 3_600_000;
        List<MicroBatch> last =
                List.of(QuerySim.batch(QuerySim.RUN, 1, T0, lastTriggerMs, 10, 12.5, null, 0, 0));
        return new QueryWindow(
                "orders",
                "enrich",
                QuerySim.RUN,
                state,
                intervalMs,
                last,
                now,
                now - silentMs,
                now - silentMs,
                now - appSilentMs,
                false,
                null,
                null,
                List.of(),
                List.of());
    }

    static Stream<Arguments> silences() {
        String a = QuerySnapshot.ACTIVE;
        return Stream.of(
                Arguments.of("reporting", a, SEC, 1_000L, 0L, 400L, Verdict.CLEAR),
                Arguments.of(
                        "just within 3 intervals + appDownAfter",
                        a,
                        SEC,
                        33_000L,
                        0L,
                        400L,
                        Verdict.CLEAR),
                Arguments.of(
                        "silent beyond it, app alive", a, SEC, 33_001L, 0L, 400L, Verdict.FIRING),
                Arguments.of(
                        "silent, app silent too: AppDown's page",
                        a,
                        SEC,
                        60_000L,
                        45_000L,
                        400L,
                        Verdict.HOLD),
                Arguments.of("long trigger", a, 60_000L, 200_000L, 0L, 400L, Verdict.CLEAR),
                Arguments.of(
                        "long trigger, beyond", a, 60_000L, 211_000L, 0L, 400L, Verdict.FIRING),
                Arguments.of(
                        "no interval: 3 x the last micro-batch",
                        a,
                        null,
                        56_000L,
                        0L,
                        9_000L,
                        Verdict.CLEAR),
                Arguments.of("no interval, beyond", a, null, 58_000L, 0L, 9_000L, Verdict.FIRING),
                Arguments.of(
                        "no interval, short batches: 3 x 1 s",
                        a,
                        null,
                        34_000L,
                        0L,
                        100L,
                        Verdict.FIRING),
                Arguments.of(
                        "idle reports every 10 s",
                        QuerySnapshot.IDLE,
                        SEC,
                        39_000L,
                        0L,
                        400L,
                        Verdict.CLEAR),
                Arguments.of(
                        "idle, silent beyond",
                        QuerySnapshot.IDLE,
                        SEC,
                        41_000L,
                        0L,
                        400L,
                        Verdict.FIRING),
                Arguments.of(
                        "stopped", QuerySnapshot.STOPPED, SEC, 600_000L, 0L, 400L, Verdict.CLEAR),
                Arguments.of(
                        "failed", QuerySnapshot.FAILED, SEC, 600_000L, 0L, 400L, Verdict.CLEAR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("silences")
    void queryStalled(
            String name,
            String state,
            Long intervalMs,
            long silentMs,
            long appSilentMs,
            long lastTriggerMs,
            Verdict expected) {
        Check c =
                new QueryStalled(30_000)
                        .check(silent(state, intervalMs, silentMs, appSilentMs, lastTriggerMs));
        assertEquals(expected, c.verdict(), () -> name + ": " + c);
    }

    @Test
    void queryStalledJudgesSilence() {
        assertTrue(new QueryStalled(30_000).judgesSilence());
        assertTrue(new QueryStalled(30_000).clockDriven());
    }

    // StreamingStateGrowing: one micro-batch a minute, a 2 h window.

    private static final long TWO_HOURS = 7_200_000;

    /** The window after each minute of {@code rows(minute)} (memory flat). */
    private static Sim.Timeline states(int minutes, LongUnaryOperator rows) {
        List<QueryWindow> windows = new ArrayList<>();
        List<StateHistory.Sample> history = new ArrayList<>();
        for (int k = 0; k < minutes; k++) {
            history.add(new StateHistory.Sample(T0 + k * 60_000L, rows.applyAsLong(k), 0));
            windows.add(QuerySim.withStates(QuerySim.active(SEC, List.of()), List.copyOf(history)));
        }
        return QuerySim.replay(new StateGrowing(TWO_HOURS), windows);
    }

    static Stream<Arguments> stateShapes() {
        return Stream.of(
                Arguments.of(
                        "steady state (evicted as fast as it grows)",
                        (LongUnaryOperator) k -> 100_000 + (k % 2 == 0 ? -5000 : 5000),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "a watermark that levels off after an hour",
                        (LongUnaryOperator) k -> Math.min(k, 60) * 3000 + (k % 2) * 500,
                        List.of(),
                        List.of()),
                Arguments.of(
                        "linear climb: fires once 90 min (3/4 of the window) are seen",
                        (LongUnaryOperator) k -> 1000 * k,
                        List.of(90),
                        List.of()),
                Arguments.of(
                        "climb then plateau",
                        (LongUnaryOperator) k -> 1000 * Math.min(k, 150),
                        List.of(90),
                        List.of(180)),
                Arguments.of(
                        "restart from an empty checkpoint",
                        (LongUnaryOperator) k -> k < 150 ? 1000 * k : 100 * (k - 150),
                        List.of(90),
                        List.of(151)),
                Arguments.of(
                        "restart from the checkpoint: the climb goes on",
                        (LongUnaryOperator) k -> 1000 * k,
                        List.of(90),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateShapes")
    void stateGrowing(
            String name, LongUnaryOperator rows, List<Integer> fired, List<Integer> resolved) {
        Sim.Timeline t = states(240, rows);
        assertEquals(fired, t.fired, t::toString);
        assertEquals(resolved, t.resolved, t::toString);
    }

    @Test
    void stateGrowingSaysWhatGrowsAndHowFast() {
        List<StateHistory.Sample> history = new ArrayList<>();
        for (int k = 0; k <= 120; k++)
            history.add(
                    new StateHistory.Sample(
                            T0 + k * 60_000L, 50_000, (64L << 20) + k * (1L << 20)));
        Check c =
                new StateGrowing(TWO_HOURS)
                        .check(QuerySim.withStates(QuerySim.active(SEC, List.of()), history));
        assertEquals(Verdict.FIRING, c.verdict());
        assertEquals(
                "state memory rose from 64.0 MiB to 184.0 MiB over 2.0 h (+33 % of it per hour), still rising",
                c.summary());
    }

    @Test
    void stateGrowingHoldsOnTooShortAHistory() {
        List<StateHistory.Sample> history = new ArrayList<>();
        for (int k = 0; k < 60; k++)
            history.add(new StateHistory.Sample(T0 + k * 60_000L, 1000L * k, 0));
        assertEquals(
                Verdict.HOLD,
                new StateGrowing(TWO_HOURS)
                        .check(QuerySim.withStates(QuerySim.active(SEC, List.of()), history))
                        .verdict());
    }
}
