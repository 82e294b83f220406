package io.streamwatch.service.store;

/**
 * The store file exists but cannot be used (empty, not an SQLite database, corrupt, not
 * Streamwatch's, or written by a newer release): the service refuses to start on it rather than
 * forget what it held. A restart cannot fix this, so the service exits with {@link #EXIT_CODE}
 * (EX_CONFIG), which the shipped systemd unit names in {@code RestartPreventExitStatus=}.
 */
public final class StoreDamagedException extends RuntimeException {
    /** sysexits.h EX_CONFIG: an operator must act before the next start. */
    public static final int EXIT_CODE = 78;

    StoreDamagedException(String message, Throwable cause) {
        super(message, cause);
    }
}
