package io.streamwatch.service.ingest;

/**
 * A request the service refuses, with the HTTP status to answer and a message for the client that
 * names the problem (and never echoes a secret). Nothing from a rejected request is applied.
 */
public final class RejectedException extends RuntimeException {
    private final int status;
    private final long retryAfterSeconds;

    public RejectedException(int status, String message) {
        this(status, message, 0);
    }

    /**
     * @param retryAfterSeconds sent as {@code Retry-After} when positive
     */
    public RejectedException(int status, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static RejectedException badRequest(String message) {
        return new RejectedException(400, message);
    }

    public int status() {
        return status;
    }

    /**
     * Seconds the client should wait before retrying, or 0 when the answer carries no such hint.
     */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
