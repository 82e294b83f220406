package io.streamwatch.service.store;

/**
 * The durable store failed (disk full, permissions, corruption); the message says what and where.
 */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
