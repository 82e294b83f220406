package io.streamwatch.listener;

/**
 * What the listener-bus thread hands to the shipper: a sequence number, the wall-clock time the
 * listener saw the event, and Spark's own (immutable) event object, converted later.
 */
final class QueuedEvent {
    private final long seq;
    private final long time;
    private final Object event;

    QueuedEvent(long seq, long time, Object event) {
        this.seq = seq;
        this.time = time;
        this.event = event;
    }

    long seq() {
        return seq;
    }

    long time() {
        return time;
    }

    Object event() {
        return event;
    }
}
