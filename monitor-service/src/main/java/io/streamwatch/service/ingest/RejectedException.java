package io.streamwatch.service.ingest;

/**
 * A request the service refuses, with the HTTP status to answer and a message for the client that
 * names the problem (and never echoes a secret). Nothing from a rejected request is applied.
 */
public final class RejectedException extends RuntimeException {
    private final int status;

    public RejectedException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static RejectedException badRequest(String message) {
        return new RejectedException(400, message);
    }

    public int status() {
        return status;
    }
}
