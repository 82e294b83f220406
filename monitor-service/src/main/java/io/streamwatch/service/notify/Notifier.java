package io.streamwatch.service.notify;

import java.time.Instant;

/**
 * Turns an alert transition into the request one kind of receiver expects. Implementations are pure
 * (no I/O, time passed in), so each format is tested by reading back the JSON it builds; {@link
 * ReceiverChannel} does the sending.
 */
interface Notifier {
    /**
     * Whether this receiver is told about {@code transition}; only receivers that expire alerts
     * want REPEAT.
     */
    default boolean accepts(Transition transition) {
        return transition != Transition.REPEAT;
    }

    /**
     * The request announcing {@code transition} of {@code alert}; {@code now} is when it is built.
     */
    OutboundRequest toRequest(Alert alert, Transition transition, Instant now);

    /**
     * {@code text} (a response body about to be logged) with any secret of this receiver masked.
     */
    default String redact(String text) {
        return text;
    }
}
