package io.streamwatch.service.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.state.LagWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KafkaLagGrowingTest {
    private static final KafkaLagGrowing RULE = new KafkaLagGrowing(5, 30);

    /**
     * Replays polls (records, seconds behind) through the rule and the fire/resolve state machine.
     */
    private static Sim.Timeline replay(long[] records, double[] seconds) {
        Sim.Timeline t = new Sim.Timeline();
        List<LagWindow.Sample> samples = new ArrayList<>();
        boolean firing = false;
        for (int i = 0; i < records.length; i++) {
            samples.add(new LagWindow.Sample(i * 15_000L, records[i], seconds[i], false));
            Verdict v =
                    RULE.check(new LagWindow("group", "billing", samples, i * 15_000L)).verdict();
            if (v == Verdict.FIRING && !firing) {
                firing = true;
                t.fired.add(i);
            } else if (v == Verdict.CLEAR && firing) {
                firing = false;
                t.resolved.add(i);
            }
        }
        return t;
    }

    static Stream<Arguments> lag() {
        return Stream.of(
                Arguments.of(
                        "idle topic",
                        new long[] {0, 0, 0, 0, 0, 0, 0},
                        new double[] {0, 0, 0, 0, 0, 0, 0},
                        List.of(),
                        List.of()),
                Arguments.of(
                        "steady small lag",
                        new long[] {50, 50, 50, 50, 50, 50, 50},
                        new double[] {2, 2, 2, 2, 2, 2, 2},
                        List.of(),
                        List.of()),
                Arguments.of(
                        "bursty producer",
                        new long[] {0, 5000, 100, 5000, 100, 5000, 100, 5000},
                        new double[] {0, 40, 1, 40, 1, 40, 1, 40},
                        List.of(),
                        List.of()),
                Arguments.of(
                        "rising but still fresh",
                        new long[] {10, 20, 30, 40, 50, 60, 70},
                        new double[] {1, 2, 3, 4, 5, 6, 7},
                        List.of(),
                        List.of()),
                Arguments.of(
                        "falling behind",
                        new long[] {1000, 2000, 3000, 4000, 5000, 6000, 7000},
                        new double[] {10, 20, 30, 40, 50, 60, 70},
                        List.of(4),
                        List.of()),
                // Polls 2..6 (3000..6000, 4000) still fit a slope of +4000/10 records per poll;
                // polls 3..7
                // (4000, 5000, 6000, 4000, 2000) fit -5000/10: resolved at poll 7.
                Arguments.of(
                        "falling behind then catching up",
                        new long[] {1000, 2000, 3000, 4000, 5000, 6000, 4000, 2000, 1000, 500},
                        new double[] {10, 20, 30, 40, 50, 60, 40, 20, 10, 5},
                        List.of(4),
                        List.of(7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lag")
    void kafkaLagGrowing(
            String name,
            long[] records,
            double[] seconds,
            List<Integer> fired,
            List<Integer> resolved) {
        Sim.Timeline t = replay(records, seconds);
        assertEquals(fired, t.fired, t::toString);
        assertEquals(resolved, t.resolved, t::toString);
    }

    @Test
    void theSummarySaysHowFarBehind() {
        List<LagWindow.Sample> s = new ArrayList<>();
        for (int i = 0; i < 5; i++)
            s.add(new LagWindow.Sample(i, 1000L * (i + 1), 10.0 * (i + 1), false));
        Check c = RULE.check(new LagWindow("app", "orders", s, 5));
        assertEquals(Verdict.FIRING, c.verdict());
        assertEquals(
                "Kafka lag rose from 1000 to 5000 records over 5 polls (50 s behind)", c.summary());
        assertTrue(c.description().contains("app 'orders'"));
    }

    /**
     * After a restart of the service the seconds-behind estimate is only a lower bound (the
     * consumer's position is older than anything the poller has seen since): a small such value
     * while records keep rising must not resolve the alert, as a real estimate that small would.
     */
    @Test
    void aLowerBoundOfSecondsBehindDoesNotResolveWhileLagKeepsRising() {
        List<LagWindow.Sample> s = new ArrayList<>();
        for (int i = 0; i < 5; i++)
            s.add(new LagWindow.Sample(i, 1000L * (i + 1), 40.0 + i, false));
        assertEquals(Verdict.FIRING, RULE.check(new LagWindow("group", "g", s, 5)).verdict());

        List<LagWindow.Sample> afterRestart = new ArrayList<>(s.subList(1, 5));
        afterRestart.add(new LagWindow.Sample(6, 6000, 2.0, true));
        assertTrue(
                RULE.check(new LagWindow("group", "g", afterRestart, 6)).verdict() != Verdict.CLEAR,
                "2 s is only a lower bound, and the lag still rises");

        List<LagWindow.Sample> caughtUp = new ArrayList<>(s.subList(1, 5));
        caughtUp.add(new LagWindow.Sample(6, 6000, 2.0, false));
        assertEquals(
                Verdict.CLEAR,
                RULE.check(new LagWindow("group", "g", caughtUp, 6)).verdict(),
                "a real estimate of 2 s is below half the floor");
    }
}
