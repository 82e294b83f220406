package io.streamwatch.service.rules;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where alert states are kept across restarts, so that an alert already sent is not sent again and
 * a resolve is still delivered after a restart.
 */
public interface AlertPersistence {
    /**
     * @param state null to delete
     * @return completes once the state is on disk
     */
    CompletableFuture<Void> save(
            String label, String subject, String alertname, PersistedAlert state);

    List<Stored> load();

    /** A stored alert with its identity. */
    record Stored(String label, String subject, String alertname, PersistedAlert state) {}

    /** A pending or firing alert. */
    record PersistedAlert(
            String status,
            String severity,
            Long since,
            Long startsAt,
            long lastSentMs,
            String summary,
            String description) {}

    static AlertPersistence none() {
        return new AlertPersistence() {
            @Override
            public CompletableFuture<Void> save(
                    String label, String subject, String alertname, PersistedAlert state) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public List<Stored> load() {
                return List.of();
            }
        };
    }
}
