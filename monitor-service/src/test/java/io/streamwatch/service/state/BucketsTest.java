package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The duration buckets: where an observation lands, and histograms stored in the old layout. */
class BucketsTest {
    @Test
    void anObservationLandsInTheFirstBucketItFitsUnderAndBeyondTheLastInInf() {
        Buckets b = new Buckets();
        b.observe(40); // <= 0.1 s
        b.observe(100); // <= 0.1 s: bounds are inclusive
        b.observe(101); // <= 0.25 s
        b.observe(7_200_000); // two hours: +Inf
        long[] want = new long[Buckets.SECONDS.length + 1];
        want[0] = 2;
        want[1] = 1;
        want[Buckets.SECONDS.length] = 1;
        assertArrayEquals(want, b.snapshot().counts());
        assertEquals(4, b.snapshot().count());
    }

    @Test
    void aHistogramStoredInThePreviousLayoutIsFoldedIntoThisOne() {
        long[] old = new long[Buckets.PREVIOUS_SECONDS.length + 1];
        old[0] = 1; // <= 0.01 s
        old[2] = 2; // <= 0.05 s
        old[3] = 3; // <= 0.1 s
        old[4] = 4; // <= 0.25 s
        old[16] = 5; // <= 1800 s
        old[18] = 6; // +Inf
        Buckets b = new Buckets();
        b.restore(new Buckets.Snapshot(old, 21, 12345.5));
        long[] want = new long[Buckets.SECONDS.length + 1];
        want[0] = 6;
        want[1] = 4;
        want[Buckets.SECONDS.length - 2] = 5;
        want[Buckets.SECONDS.length] = 6;
        assertArrayEquals(want, b.snapshot().counts());
        assertEquals(21, b.snapshot().count());
        assertEquals(12345.5, b.snapshot().sumSeconds());
    }

    @Test
    void aHistogramInAnUnknownLayoutStartsAfresh() {
        Buckets b = new Buckets();
        b.restore(new Buckets.Snapshot(new long[] {1, 2, 3}, 6, 1.0));
        assertEquals(0, b.snapshot().count());
    }
}
