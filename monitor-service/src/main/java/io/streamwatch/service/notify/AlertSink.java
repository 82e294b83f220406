package io.streamwatch.service.notify;

/**
 * Where the alert engine hands transitions. Implementations must return at once (no I/O on the
 * caller).
 */
public interface AlertSink {
    void publish(Alert alert, Transition transition);
}
