package io.streamwatch.service.state;

/**
 * An event's {@code seq} lies further above its listener instance's highest applied one than a
 * listener can have come in the time since; nothing of the request was applied. Accepting it would
 * make every later genuine event of that instance a duplicate. The message names the event and the
 * limit.
 */
public final class SequenceJumpException extends RuntimeException {
    SequenceJumpException(String message) {
        super(message, null, false, false);
    }
}
