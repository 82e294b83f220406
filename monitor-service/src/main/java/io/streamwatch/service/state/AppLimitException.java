package io.streamwatch.service.state;

/**
 * A request would take the service or one app beyond a limit; nothing of it was applied. The
 * message names the limit and says what to do; {@link #status} is the HTTP status to answer.
 */
public final class AppLimitException extends RuntimeException {
    private final int maxApps;
    private final int status;
    private final long retryAfterSeconds;

    AppLimitException(String app, int maxApps) {
        this(
                "too many apps: this service tracks at most "
                        + maxApps
                        + " (ingest.maxApps); app '"
                        + app
                        + "' was not added. Raise ingest.maxApps or retire unused app keys",
                maxApps,
                429,
                0);
    }

    private AppLimitException(String message, int maxApps, int status, long retryAfterSeconds) {
        super(message, null, false, false);
        this.maxApps = maxApps;
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * The app would hold more of something than any app may (422: sending it again never helps).
     */
    static AppLimitException perApp(String message) {
        return new AppLimitException(message, 0, 422, 0);
    }

    /** The app changes too fast (429, to be retried after {@code retryAfterSeconds}). */
    static AppLimitException tooFast(String message, long retryAfterSeconds) {
        return new AppLimitException(message, 0, 429, retryAfterSeconds);
    }

    /** The {@code ingest.maxApps} that was reached; 0 for a per-app limit. */
    public int maxApps() {
        return maxApps;
    }

    /** 429 (retry later) or 422 (the request can never be accepted). */
    public int status() {
        return status;
    }

    /** Seconds to wait before retrying, 0 when there is no such hint. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
