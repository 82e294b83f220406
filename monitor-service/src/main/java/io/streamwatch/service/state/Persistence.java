package io.streamwatch.service.state;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Where the registry makes its changes durable. The future completes once they are on disk. */
public interface Persistence {
    CompletableFuture<Void> save(PersistedApp app, List<BatchRecord> newBatches);

    void forget(String app);

    /** Keeps nothing (tests, and a service run without storage). */
    static Persistence none() {
        return new Persistence() {
            @Override
            public CompletableFuture<Void> save(PersistedApp app, List<BatchRecord> newBatches) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void forget(String app) {}
        };
    }
}
