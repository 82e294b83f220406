package io.streamwatch.listener;

/**
 * A configuration problem that leaves the listener inert. {@link #isError()} tells whether the user
 * asked for Streamwatch and got it wrong (logged as an error) or simply did not configure it
 * (logged as a warning).
 */
final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean error;

    ConfigException(String message, boolean error) {
        super(message);
        this.error = error;
    }

    boolean isError() {
        return error;
    }
}
