package io.streamwatch.service.notify;

/**
 * One receiver's delivery: a queue and the thread that serves it. {@link ReceiverChannel} queues in
 * memory; {@link OutboxChannel} in the durable {@link Outbox}.
 */
interface Channel {
    String name();

    void start();

    /** Queues the notification if this receiver wants it; never blocks for long, never throws. */
    void offer(Alert alert, Transition transition);

    /** Accept nothing more; the worker finishes what it can without waiting and exits. */
    void stopAccepting();

    /**
     * Waits for the worker to exit, at most until {@code deadlineNanos} ({@link
     * System#nanoTime()}).
     */
    boolean awaitDrained(long deadlineNanos) throws InterruptedException;

    /** Abandons any call in flight and stops the worker. */
    void forceStop();
}
