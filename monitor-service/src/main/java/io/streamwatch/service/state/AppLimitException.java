package io.streamwatch.service.state;

/**
 * An app would be added beyond {@code ingest.maxApps}; nothing was applied. The message says what
 * to do.
 */
public final class AppLimitException extends RuntimeException {
    private final int maxApps;

    AppLimitException(String app, int maxApps) {
        super(
                "too many apps: this service tracks at most "
                        + maxApps
                        + " (ingest.maxApps); app '"
                        + app
                        + "' was not added. Raise ingest.maxApps or retire unused app keys",
                null,
                false,
                false);
        this.maxApps = maxApps;
    }

    public int maxApps() {
        return maxApps;
    }
}
