package io.streamwatch.service.poll.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lag-in-seconds estimate against production histories whose true answer is known: each case is
 * a script of polls (time, end offset) with a clock the test moves, a consumer position, and the
 * real age of the record at that position.
 */
class LagSecondsEstimatorTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long POLL = 15_000;
    private static final long T0 = 1_700_000_000_000L;

    /**
     * A topic's history: when each record was appended, and what the poller saw every {@link #POLL}
     * ms.
     */
    static final class History {
        final List<Long> appendedAt = new ArrayList<>();
        long now = T0;
        final LagSecondsEstimator estimator = new LagSecondsEstimator(Long.MAX_VALUE / 2);

        History poll() {
            estimator.observe(Map.of(TP, end()), now);
            return this;
        }

        /**
         * {@code perSecond} records a second, evenly spread, polled every {@link #POLL} ms, for
         * {@code seconds}.
         */
        History steady(double perSecond, long seconds) {
            long until = now + seconds * 1000;
            double gap = 1000.0 / perSecond;
            double next = now + gap;
            while (now < until) {
                long pollAt = now + POLL;
                while (next <= pollAt) {
                    appendedAt.add((long) next);
                    next += gap;
                }
                now = pollAt;
                poll();
            }
            return this;
        }

        /** No records for {@code seconds}, still polled. */
        History idle(long seconds) {
            long until = now + seconds * 1000;
            while (now < until) {
                now += POLL;
                poll();
            }
            return this;
        }

        /** {@code n} records at once, {@code afterMs} after the last poll (before the next). */
        History burst(int n, long afterMs) {
            for (int i = 0; i < n; i++) appendedAt.add(now + afterMs);
            return this;
        }

        long end() {
            return appendedAt.size();
        }

        /** The true age in seconds of the record at {@code position}, now. */
        double trueSeconds(long position) {
            return (now - appendedAt.get((int) position)) / 1000.0;
        }

        Double estimate(long position) {
            return estimator.secondsBehind(TP, position, end(), now);
        }
    }

    record Case(String name, History history, long position) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> accurateWithinOnePoll() {
        History steady = new History().poll().steady(10, 600);
        History steadyThenIdle = new History().poll().steady(10, 300).idle(3600);
        History idleThenBurst =
                new History().poll().steady(2, 60).idle(3600).burst(5000, 4_000).idle(15);
        History burstThenSteady = new History().poll().burst(100_000, 1).idle(15).steady(50, 120);
        History slowTrickle = new History().poll().steady(0.01, 3 * 3600);
        return Stream.of(
                new Case("steady production, consumer 60 s behind", steady, steady.end() - 600),
                new Case("steady production, consumer at the oldest record", steady, 0),
                new Case("steady production, consumer one record behind", steady, steady.end() - 1),
                new Case(
                        "idle hour after production, consumer stuck mid-stream",
                        steadyThenIdle,
                        steadyThenIdle.end() - 1200),
                new Case(
                        "idle hour, consumer at the last record before the idle hour",
                        steadyThenIdle,
                        steadyThenIdle.end() - 1),
                new Case(
                        "burst after an idle hour, consumer at the burst's first record",
                        idleThenBurst,
                        idleThenBurst.end() - 5000),
                new Case(
                        "burst after an idle hour, consumer at the burst's last record",
                        idleThenBurst,
                        idleThenBurst.end() - 1),
                new Case(
                        "burst after an idle hour, consumer before the idle hour",
                        idleThenBurst,
                        idleThenBurst.end() - 5001),
                new Case(
                        "huge burst, then steady: consumer inside the burst",
                        burstThenSteady,
                        50_000),
                new Case(
                        "one record every 100 s, consumer 3 records behind",
                        slowTrickle,
                        slowTrickle.end() - 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void accurateWithinOnePoll(Case c) {
        Double estimate = c.history().estimate(c.position());
        double truth = c.history().trueSeconds(c.position());
        assertNotNull(estimate, c.name());
        assertTrue(
                Math.abs(estimate - truth) <= POLL / 1000.0,
                c.name() + ": estimated " + estimate + " s, truly " + truth + " s");
    }

    @Test
    void exactlyZeroWhenCaughtUpEvenOnAnIdleTopic() {
        History h = new History().poll().steady(10, 60).idle(7200);
        assertEquals(0.0, h.estimate(h.end()));
        assertEquals(
                0.0,
                h.estimate(h.end() + 5),
                "a position past the end (read between polls) is caught up too");
        assertEquals(
                0.0,
                new LagSecondsEstimator(1000).secondsBehind(TP, 7, 7, T0),
                "caught up needs no history at all");
    }

    @Test
    void noValueAtTheFirstPollThenALowerBoundForRecordsOlderThanTheTable() {
        History h = new History().burst(500, 0);
        h.now += 1;
        h.poll(); // the service starts: 500 records of unknown age already in the log
        assertNull(
                h.estimate(100),
                "nothing is known about the age of a record the service never saw arrive");
        h.idle(60);
        assertEquals(
                60.0,
                h.estimate(100),
                "at least as old as the first poll that saw it: a bound that grows 1 s per second");
    }

    @Test
    void anEstimateForAPositionOlderThanTheTableIsMarkedALowerBound() {
        History h = new History().burst(500, 0);
        h.now += 1;
        h.poll(); // the service (re)starts with 500 records of unknown age in the log
        h.idle(60);
        h.burst(100, 0);
        h.poll();
        assertTrue(h.estimator.lowerBound(TP, 100), "older than the first poll: at least");
        assertFalse(h.estimator.lowerBound(TP, 550), "arrived while watched: an estimate");
    }

    @Test
    void aLogThatShrinksStartsAFreshTable() {
        History h = new History().poll().steady(10, 600);
        LagSecondsEstimator e = h.estimator;
        e.observe(Map.of(TP, 10L), h.now + POLL); // topic deleted and re-created
        assertNull(e.secondsBehind(TP, 3, 10, h.now + POLL), "the old table described another log");
        assertEquals(15.0, e.secondsBehind(TP, 3, 10, h.now + 2 * POLL));
    }

    @Test
    void memoryStaysBoundedAndOldHistoryStaysUsable() {
        History h = new History().poll().steady(3, 2 * 24 * 3600);
        OffsetTimeline t = new OffsetTimeline();
        for (int i = 0; i < 100_000; i++) t.observe(i * 10L, T0 + i * POLL);
        assertTrue(t.size() <= OffsetTimeline.CAPACITY, "table holds " + t.size() + " points");
        long fourHoursBehind = h.end() - 4 * 3600 * 3;
        assertEquals(
                h.trueSeconds(fourHoursBehind),
                h.estimate(fourHoursBehind),
                POLL / 1000.0,
                "steady production: thinning old points keeps the estimate exact");
        long dayBehind = h.end() - 30 * 3600 * 3;
        assertEquals(h.trueSeconds(dayBehind), h.estimate(dayBehind), POLL / 1000.0);
    }

    @Test
    void partitionsNoLongerPolledAreForgotten() {
        LagSecondsEstimator e = new LagSecondsEstimator(60_000);
        TopicPartition other = new TopicPartition("t", 1);
        e.observe(Map.of(TP, 5L, other, 5L), T0);
        e.observe(Map.of(TP, 6L), T0 + 30_000);
        assertEquals(2, e.partitions());
        e.observe(Map.of(TP, 7L), T0 + 61_000);
        assertEquals(1, e.partitions());
    }
}
