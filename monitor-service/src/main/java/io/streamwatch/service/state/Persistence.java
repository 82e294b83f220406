package io.streamwatch.service.state;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the registry makes its changes durable, and where it reads the micro-batch history of
 * queries. The future completes once they are on disk.
 */
public interface Persistence {
    CompletableFuture<Void> save(PersistedApp app, List<BatchRecord> newBatches);

    /**
     * Saves the app with the micro-batches its change recorded and the query keys it dropped, all
     * in one commit. A persistence that keeps no query history saves the app alone.
     */
    default CompletableFuture<Void> save(
            PersistedApp app, List<BatchRecord> newBatches, QueryChanges queries) {
        return save(app, newBatches);
    }

    void forget(String app);

    /**
     * The newest {@code limit} stored micro-batches of {@code query}, newest first; null when this
     * persistence keeps no query history (the registry then serves the micro-batches it holds in
     * memory).
     */
    default List<MicroBatch> microBatches(String app, String query, int limit) {
        return null;
    }

    /**
     * The newest {@code limit} stored batches of {@code app}, newest first; null when this
     * persistence keeps no history (the registry then serves the batches it holds in memory).
     */
    default List<BatchRecord> batches(String app, int limit) {
        return null;
    }

    /** How many micro-batches per query {@link #microBatches} can serve. */
    default int microBatchCapacity() {
        return Query.WINDOW;
    }

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
