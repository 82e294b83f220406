package io.streamwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void theMedianOfAnEvenNumberOfRunsLiesBetweenTheMiddleTwo() {
        Stats s = Stats.of(List.of(4, 1, 3, 2));
        assertEquals(2.5, s.median());
        assertEquals(1, s.min());
        assertEquals(4, s.max());
        assertEquals(4, s.n());
    }

    @Test
    void percentilesInterpolateBetweenClosestRanks() {
        List<Double> sorted = List.of(10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0);
        assertEquals(100.0, Stats.percentile(sorted, 100));
        assertEquals(99.1, Stats.percentile(sorted, 99), 1e-9);
        assertEquals(32.5, Stats.percentile(sorted, 25), 1e-9);
    }

    @Test
    void aSingleRunIsItsOwnMedianAndSpread() {
        Stats s = Stats.of(List.of(7L));
        assertEquals(7, s.median());
        assertEquals(7, s.min());
        assertEquals(7, s.max());
    }
}
