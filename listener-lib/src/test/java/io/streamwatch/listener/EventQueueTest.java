package io.streamwatch.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventQueueTest {

    @Test
    void keepsOrderWhileThereIsRoom() throws Exception {
        EventQueue queue = new EventQueue(3);
        for (long i = 1; i <= 3; i++) {
            queue.offer(new QueuedEvent(i, 0, "e" + i));
        }
        assertEquals(3, queue.size());
        assertEquals(0, queue.dropped());
        assertEquals(1, queue.poll(0).seq());
        assertEquals(2, queue.poll(0).seq());
        assertEquals(3, queue.poll().seq());
        assertNull(queue.poll(1));
    }

    @Test
    void aFullQueueDropsTheOldestAndCountsIt() {
        EventQueue queue = new EventQueue(3);
        for (long i = 1; i <= 10; i++) {
            queue.offer(new QueuedEvent(i, 0, "e" + i));
        }
        assertEquals(7, queue.dropped());
        assertEquals(3, queue.size());
        assertEquals(8, queue.poll().seq());
        assertEquals(9, queue.poll().seq());
        assertEquals(10, queue.poll().seq());
    }

    @Test
    void backoffIsFullJitterUnderACappedExponentialCeiling() {
        Backoff top = new Backoff(200, 30_000, () -> 0.999999);
        assertEquals(199, top.delayMs(0));
        assertEquals(399, top.delayMs(1));
        assertEquals(799, top.delayMs(2));
        assertEquals(29_999, top.delayMs(8));
        assertEquals(29_999, top.delayMs(1000));
        Backoff bottom = new Backoff(200, 30_000, () -> 0.0);
        assertEquals(0, bottom.delayMs(5));
        Backoff half = new Backoff(200, 30_000, () -> 0.5);
        assertTrue(half.delayMs(3) == 800);
    }
}
