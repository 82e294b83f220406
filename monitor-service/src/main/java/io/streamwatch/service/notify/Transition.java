package io.streamwatch.service.notify;

/** Why a notification is sent. */
public enum Transition {
    /** The alert started firing: every receiver is told. */
    FIRING,
    /** The alert resolved: every receiver is told. */
    RESOLVED,
    /**
     * Still firing; re-sent every {@code alerting.resendInterval} to receivers that expire alerts
     * (Alertmanager).
     */
    REPEAT
}
