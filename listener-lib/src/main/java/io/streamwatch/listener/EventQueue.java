package io.streamwatch.listener;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounded hand-off between the listener bus and the shipper. {@link #offer} never blocks: when the
 * queue is full it drops the oldest event and counts it, so the newest events survive an outage of
 * the service.
 */
final class EventQueue {
    private final ArrayBlockingQueue<QueuedEvent> queue;
    private final AtomicLong dropped = new AtomicLong();

    EventQueue(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Adds the event, dropping (and counting) the oldest ones while the queue is full. */
    void offer(QueuedEvent event) {
        while (!queue.offer(event)) {
            if (queue.poll() != null) {
                dropped.incrementAndGet();
            }
        }
    }

    /** Waits up to {@code timeoutMs} for an event; null when none arrived. */
    QueuedEvent poll(long timeoutMs) throws InterruptedException {
        return timeoutMs <= 0 ? queue.poll() : queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** The oldest event, or null when empty; never waits. */
    QueuedEvent poll() {
        return queue.poll();
    }

    int size() {
        return queue.size();
    }

    /** Events dropped so far because the queue was full. */
    long dropped() {
        return dropped.get();
    }
}
