package io.streamwatch.service.rules;

import static io.streamwatch.service.rules.Sim.alternate;
import static io.streamwatch.service.rules.Sim.concat;
import static io.streamwatch.service.rules.Sim.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.BatchRecord;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each rule against the batch shapes that matter: which ones page, when, and when they resolve. */
class RuleTablesTest {
    private static final long SEC = 1000;

    /**
     * name, processing times per batch (1 s interval), expected fire indexes, expected resolve
     * indexes.
     */
    static Stream<Arguments> slowBatches() {
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
                        "two slow in a row is not three",
                        concat(repeat(400, 3), repeat(1500, 2), repeat(400, 5)),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "overload", concat(repeat(400, 3), repeat(1500, 6)), List.of(5), List.of()),
                Arguments.of(
                        "overload then recovery",
                        concat(repeat(400, 3), repeat(1500, 6), repeat(300, 6)),
                        List.of(5),
                        List.of(11)),
                Arguments.of(
                        "recovery needs three fast batches in a row",
                        concat(repeat(1500, 4), new long[] {500, 500, 1500, 500, 500, 500}),
                        List.of(2),
                        List.of(9)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slowBatches")
    void batchTooSlow(String name, long[] processing, List<Integer> fired, List<Integer> resolved) {
        Sim.Timeline t = Sim.replay(new BatchTooSlow(3), Sim.run(SEC, processing), SEC);
        assertEquals(fired, t.fired, t::toString);
        assertEquals(resolved, t.resolved, t::toString);
    }

    static Stream<Arguments> delayTrends() {
        return Stream.of(
                Arguments.of("steady", repeat(400, 30), List.of(), List.of()),
                Arguments.of(
                        "single spike",
                        concat(repeat(400, 10), new long[] {6000}, repeat(400, 15)),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "micro-batch sawtooth", alternate(1300, 500, 15), List.of(), List.of()),
                Arguments.of(
                        "slow but catching up",
                        concat(new long[] {9000}, repeat(600, 25)),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "tiny delays that rise do not page",
                        concat(
                                repeat(10, 5),
                                new long[] {20, 40, 60, 80, 100, 150, 200, 250, 300, 400}),
                        List.of(),
                        List.of()),
                Arguments.of(
                        "steady climb",
                        concat(repeat(400, 5), repeat(1500, 15)),
                        List.of(10),
                        List.of()),
                // Total delay peaks at 7.0 s at index 16, then falls 0.5 s per batch. The fitted
                // slope over
                // indexes 11..20 is still +6250/82.5 ms per batch; over 12..21 it is -6250/82.5:
                // resolved at 21.
                Arguments.of(
                        "steady climb then recovery",
                        concat(repeat(400, 5), repeat(1500, 12), repeat(500, 15)),
                        List.of(10),
                        List.of(21)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("delayTrends")
    void delayGrowing(String name, long[] processing, List<Integer> fired, List<Integer> resolved) {
        Sim.Timeline t = Sim.replay(new DelayGrowing(10), Sim.run(SEC, processing), SEC);
        assertEquals(fired, t.fired, t::toString);
        assertEquals(resolved, t.resolved, t::toString);
    }

    @Test
    void delayGrowingSaysHowFastTheDelayRises() {
        List<BatchRecord> climb = Sim.run(SEC, concat(repeat(400, 5), repeat(1500, 15)));
        Check c = new DelayGrowing(10).check(Sim.after(climb, 20, SEC));
        assertEquals(Verdict.FIRING, c.verdict());
        assertTrue(
                c.summary()
                        .matches(
                                "total delay rose from \\d+\\.\\d s to \\d+\\.\\d s over 10 batches \\(\\+0\\.5 s per batch\\)"),
                c.summary());
    }

    @Test
    void batchTooSlowSummaryCarriesTheNumbers() {
        List<BatchRecord> slow = Sim.run(SEC, 1700, 1700, 1700);
        Check c = new BatchTooSlow(3).check(Sim.after(slow, 3, SEC));
        assertEquals("processing 1.7 s > interval 1.0 s for 3 batches", c.summary());
    }

    @Test
    void slowBatchesArePendingBeforeTheyFire() {
        List<BatchRecord> b = Sim.run(SEC, 400, 1500, 1500);
        assertEquals(Verdict.PENDING, new BatchTooSlow(3).check(Sim.after(b, 2, SEC)).verdict());
        assertEquals(
                "processing 1.5 s > interval 1.0 s for 2 of 3 batches",
                new BatchTooSlow(3).check(Sim.after(b, 3, SEC)).summary());
    }

    @Test
    void leastSquaresSlopeOfALineIsItsStep() {
        assertEquals(500.0, DelayGrowing.slope(new long[] {0, 500, 1000, 1500}), 1e-9);
        assertEquals(0.0, DelayGrowing.slope(new long[] {7, 7, 7}), 1e-9);
        assertEquals(0.5, DelayGrowing.risingShare(new long[] {1, 2, 1, 2, 1}), 1e-9);
    }

    // Clock-driven rules: the same app at different instants.

    private static AppWindow silentFor(
            long silentMs, long idleMs, Boolean restUp, boolean finished) {
        long now = Sim.T0 + 3_600_000;
        return new AppWindow(
                "orders",
                "app-1",
                SEC,
                List.of(),
                now,
                now - silentMs,
                finished,
                now - idleMs,
                restUp,
                0,
                null);
    }

    static Stream<Arguments> silence() {
        return Stream.of(
                Arguments.of(
                        "heartbeats fresh", silentFor(2_000, 2_000, null, false), Verdict.CLEAR),
                Arguments.of(
                        "silent just under appDownAfter",
                        silentFor(30_000, 30_000, null, false),
                        Verdict.CLEAR),
                Arguments.of(
                        "silent past appDownAfter, REST not polled",
                        silentFor(31_000, 31_000, null, false),
                        Verdict.FIRING),
                Arguments.of(
                        "silent, REST does not answer",
                        silentFor(31_000, 31_000, false, false),
                        Verdict.FIRING),
                Arguments.of(
                        "silent but REST answers",
                        silentFor(31_000, 31_000, true, false),
                        Verdict.HOLD),
                Arguments.of(
                        "silent after a clean end",
                        silentFor(600_000, 600_000, null, true),
                        Verdict.CLEAR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("silence")
    void appDown(String name, AppWindow w, Verdict expected) {
        assertEquals(expected, new AppDown(30_000).check(w).verdict());
    }

    static Stream<Arguments> stalls() {
        return Stream.of(
                Arguments.of(
                        "batches complete", silentFor(1_000, 1_000, null, false), Verdict.CLEAR),
                Arguments.of(
                        "no batch for 3 intervals + appDownAfter exactly",
                        silentFor(1_000, 33_000, null, false),
                        Verdict.CLEAR),
                Arguments.of(
                        "heartbeats but no batch for longer",
                        silentFor(1_000, 34_000, null, false),
                        Verdict.FIRING),
                Arguments.of(
                        "no heartbeat either: that is AppDown",
                        silentFor(40_000, 40_000, null, false),
                        Verdict.HOLD),
                Arguments.of("finished", silentFor(1_000, 90_000, null, true), Verdict.CLEAR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stalls")
    void appStalled(String name, AppWindow w, Verdict expected) {
        assertEquals(expected, new AppStalled(30_000).check(w).verdict());
    }

    private static List<BatchRecord> outcomes(boolean... failed) {
        List<BatchRecord> ok = Sim.run(SEC, repeat(100, failed.length));
        return java.util.stream.IntStream.range(0, failed.length)
                .mapToObj(
                        i -> {
                            BatchRecord b = ok.get(i);
                            return new BatchRecord(
                                    b.appId(),
                                    b.batchTime(),
                                    b.submissionTime(),
                                    b.processingStartTime(),
                                    b.processingEndTime(),
                                    b.schedulingDelayMs(),
                                    b.processingTimeMs(),
                                    b.totalDelayMs(),
                                    b.records(),
                                    failed[i],
                                    failed[i]
                                            ? "java.lang.IllegalStateException: sink down\n\tat App.main"
                                            : null,
                                    false);
                        })
                .toList();
    }

    @Test
    void batchFailedFiresOnAFailureAndResolvesAfterThreeGoodBatches() {
        Sim.Timeline t =
                Sim.replay(
                        new BatchFailed(3),
                        outcomes(false, true, false, true, false, false, false, false),
                        SEC);
        assertEquals(List.of(1), t.fired, "every-other-batch failures stay one page");
        assertEquals(List.of(6), t.resolved);
        Check c = new BatchFailed(3).check(Sim.after(outcomes(false, true), 2, SEC));
        assertTrue(
                c.summary().endsWith("failed: java.lang.IllegalStateException: sink down"),
                c.summary());
    }

    @Test
    void receiverErrorFiresWhileErrorsAreRecentAndClearsWhenQuiet() {
        long now = Sim.T0 + 100_000;
        AppWindow recent =
                new AppWindow(
                        "orders",
                        "app-1",
                        SEC,
                        List.of(),
                        now,
                        now,
                        false,
                        now,
                        null,
                        now - 5_000,
                        "receiver 0 (kafka): connection refused");
        AppWindow quiet =
                new AppWindow(
                        "orders",
                        "app-1",
                        SEC,
                        List.of(),
                        now,
                        now,
                        false,
                        now,
                        null,
                        now - 61_000,
                        "receiver 0 (kafka): connection refused");
        assertEquals(Verdict.FIRING, new ReceiverError(60_000).check(recent).verdict());
        assertEquals(
                "receiver 0 (kafka): connection refused",
                new ReceiverError(60_000).check(recent).summary());
        assertEquals(Verdict.CLEAR, new ReceiverError(60_000).check(quiet).verdict());
    }
}
