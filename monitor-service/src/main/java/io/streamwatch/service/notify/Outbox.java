package io.streamwatch.service.notify;

import java.util.Optional;

/**
 * Where webhook and PagerDuty notifications wait until their receiver takes them: durable, so that
 * neither a receiver that is down for hours nor a restart of the service loses a page. Implemented
 * by the store; {@link #none()} keeps nothing (the channels then queue in memory).
 */
public interface Outbox extends AutoCloseable {
    /**
     * One stored notification, in the order it was added ({@code id} grows).
     *
     * @param alertKey {@link Alert#key()}: which entries announce the same alert
     * @param payload the alert, as {@link AlertCodec} writes it
     */
    record Entry(
            long id,
            String receiver,
            String alertKey,
            Transition transition,
            String payload,
            long createdAtMs) {}

    /** How much waits for one receiver; {@code oldestCreatedAtMs} is 0 when nothing does. */
    record Depth(long entries, long oldestCreatedAtMs) {}

    /**
     * Stores a notification for {@code receiver}. When the receiver then holds more than {@code
     * cap} entries, FIRING and REPEAT entries go, oldest first, those superseded by a newer entry
     * of the same alert before any other; a RESOLVED is never dropped.
     *
     * @return how many entries were dropped to keep the cap
     */
    int add(String receiver, Alert alert, Transition transition, long nowMs, int cap);

    /** The receiver's oldest entry, if any. */
    Optional<Entry> oldest(String receiver);

    /** The entry was delivered (or rejected for good). */
    void remove(long id);

    Depth depth(String receiver);

    /** Releases what the outbox holds open; closed by the dispatcher that uses it. */
    @Override
    default void close() {}

    /** True for a real outbox; false for {@link #none()}. */
    default boolean durable() {
        return true;
    }

    static Outbox none() {
        return new Outbox() {
            @Override
            public int add(
                    String receiver, Alert alert, Transition transition, long nowMs, int cap) {
                throw new UnsupportedOperationException("no outbox");
            }

            @Override
            public Optional<Entry> oldest(String receiver) {
                return Optional.empty();
            }

            @Override
            public void remove(long id) {}

            @Override
            public Depth depth(String receiver) {
                return new Depth(0, 0);
            }

            @Override
            public boolean durable() {
                return false;
            }
        };
    }
}
