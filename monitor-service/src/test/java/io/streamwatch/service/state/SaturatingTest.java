package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SaturatingTest {
    @Test
    void aRunningTotalStopsAtTheMaximumInsteadOfGoingNegative() {
        assertEquals(5, Saturating.add(2, 3));
        assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE - 1, 2));
        assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(
                Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE / 4 * 3, Long.MAX_VALUE / 4 * 2));
    }
}
