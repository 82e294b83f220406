package io.streamwatch.service.state;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Makes the registry's changes durable: each change to an app is applied under the app's write
 * lock, handed to the {@link Persistence} and waited for; when it cannot be stored, the app's
 * persisted parts are rolled back.
 */
final class DurableChanges {
    private static final long STORE_WAIT_SECONDS = 10;
    private final Supplier<Persistence> persistence;

    DurableChanges(Supplier<Persistence> persistence) {
        this.persistence = persistence;
    }

    /**
     * What one change to an app did, the batches it added, and whether there is anything to store.
     */
    record Step<T>(T result, List<BatchRecord> added, QueryChanges queries, boolean store) {
        Step(T result, List<BatchRecord> added, boolean store) {
            this(result, added, QueryChanges.NONE, store);
        }
    }

    /** The change could not be stored, and was rolled back. */
    static final class StoreFailure extends Exception {
        StoreFailure(Throwable cause) {
            super(cause);
        }
    }

    /**
     * Applies {@code change} to {@code state}, then stores it and waits until it is on disk. When
     * it cannot be stored, the app's persisted parts are put back as they were before: memory never
     * holds what the store lost. Changes of one app are serialised by its write lock; readers see a
     * change while it is being stored, and see it undone if storing fails.
     */
    <T> T apply(AppState state, Function<AppState, Step<T>> change) throws StoreFailure {
        state.writes.lock();
        try {
            AppState.Before before = state.before();
            Step<T> step;
            PersistedApp after;
            synchronized (state) {
                step = change.apply(state);
                after = step.store() ? state.persisted() : null;
            }
            if (after == null) return step.result();
            try {
                persistence
                        .get()
                        .save(after, step.added(), step.queries())
                        .get(STORE_WAIT_SECONDS, TimeUnit.SECONDS);
                state.stored = true;
                state.committed();
                return step.result();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                state.rollBack(before);
                throw new StoreFailure(e instanceof ExecutionException ? e.getCause() : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state.rollBack(before);
                throw new StoreFailure(e);
            }
        } finally {
            state.writes.unlock();
        }
    }
}
