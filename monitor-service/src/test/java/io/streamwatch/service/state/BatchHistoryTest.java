package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchHistoryTest {
    private static BatchRecord batch(String appId, long t) {
        return new BatchRecord(appId, t, t, t, t + 1, 0, 1, 1, 1, false, null, false);
    }

    private static List<Long> times(List<BatchRecord> rs) {
        return rs.stream().map(BatchRecord::batchTime).toList();
    }

    @Test
    void servesNewestFirstAndEachBatchOnce() {
        BatchHistory h = new BatchHistory(10);
        assertTrue(h.add(batch("a", 1000)));
        assertTrue(h.add(batch("a", 2000)));
        assertFalse(h.add(batch("a", 1000)), "a batch already held is not added again");
        assertTrue(
                h.add(batch("b", 1000)),
                "the same batch time under another app id is another batch");
        assertEquals(List.of(2000L, 1000L, 1000L), times(h.newest(10)));
        assertEquals(List.of(2000L), times(h.newest(1)));
    }

    @Test
    void keepsTheNewestCapacityBatchesAndRefusesOlderOnes() {
        BatchHistory h = new BatchHistory(3);
        for (long t = 1; t <= 5; t++) h.add(batch("a", t * 1000));
        assertEquals(List.of(5000L, 4000L, 3000L), times(h.newest(10)));
        assertFalse(h.add(batch("a", 1000)), "older than everything in a full history");
        assertFalse(h.contains("a", 1000));
    }

    @Test
    void insertsALateBatchInOrder() {
        BatchHistory h = new BatchHistory(4);
        h.add(batch("a", 1000));
        h.add(batch("a", 3000));
        h.add(batch("a", 4000));
        assertTrue(h.add(batch("a", 2000)));
        assertEquals(List.of(4000L, 3000L, 2000L, 1000L), times(h.newest(10)));
        assertTrue(h.add(batch("a", 3500)), "a full history evicts its oldest to fit a late batch");
        assertEquals(List.of(4000L, 3500L, 3000L, 2000L), times(h.newest(10)));
        assertTrue(h.contains("a", 3500));
    }

    @Test
    void wrapsAroundTheRingManyTimes() {
        BatchHistory h = new BatchHistory(7);
        for (long t = 1; t <= 100; t++) assertTrue(h.add(batch("a", t)));
        assertEquals(List.of(100L, 99L, 98L, 97L, 96L, 95L, 94L), times(h.newest(100)));
        assertEquals(7, h.size());
    }
}
