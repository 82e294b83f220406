package io.streamwatch.service.poll.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LagCalculatorTest {
    private static final long AT = 1_700_000_000_000L;
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final TopicPartition T1 = new TopicPartition("t", 1);
    private static final TopicPartition T2 = new TopicPartition("t", 2);

    private final LagSecondsEstimator seconds = new LagSecondsEstimator(60_000);

    private LagCalculator.Offsets offsets(
            Map<TopicPartition, Long> end, Map<TopicPartition, Long> start) {
        seconds.observe(end, AT);
        return new LagCalculator.Offsets(Map.of("t", List.of(0, 1, 2)), end, start, AT);
    }

    @Test
    void sumsEndMinusPositionAndCountsUnconsumedPartitionsFromTheLogStart() {
        var o = offsets(Map.of(T0, 100L, T1, 50L, T2, 30L), Map.of(T2, 12L));
        var lag = LagCalculator.lag(Map.of("t", Map.of(0, 90L, 1, 50L)), o, seconds);
        assertEquals(10 + 0 + (30 - 12), lag.get("t").records());
    }

    @Test
    void aPositionPastTheEndIsNoLagNotNegativeLag() {
        var o = offsets(Map.of(T0, 100L, T1, 50L, T2, 30L), Map.of());
        var lag = LagCalculator.lag(Map.of("t", Map.of(0, 120L, 1, 50L, 2, 30L)), o, seconds);
        assertEquals(new TopicLag(0, 0.0), lag.get("t"));
    }

    @Test
    void aTopicWithAnUnreadablePartitionIsLeftOutRatherThanUnderReported() {
        var o = offsets(Map.of(T0, 100L, T1, 50L), Map.of());
        assertFalse(
                LagCalculator.lag(Map.of("t", Map.of(0, 1L, 1, 1L, 2, 1L)), o, seconds)
                        .containsKey("t"));
        assertFalse(
                LagCalculator.lag(Map.of("gone", Map.of(0, 1L)), o, seconds).containsKey("gone"));
    }

    @Test
    void secondsAreUnknownRatherThanMadeUpWhenNoLaggingPartitionHasHistory() {
        var o = offsets(Map.of(T0, 100L, T1, 50L, T2, 30L), Map.of());
        var lag = LagCalculator.lag(Map.of("t", Map.of(0, 90L, 1, 50L, 2, 30L)), o, seconds);
        assertEquals(10, lag.get("t").records());
        assertNull(
                lag.get("t").seconds(), "first poll: the age of the 10 records is not known yet");
    }
}
