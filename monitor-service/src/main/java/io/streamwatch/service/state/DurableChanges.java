package io.streamwatch.service.state;

import java.util.List;
import java.util.concurrent.CompletableFuture;
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
        return begin(state, change).finish();
    }

    /**
     * A change applied in memory and handed to the store, its app's write lock still held by the
     * calling thread: {@link #finish} (on the same thread) waits until it is on disk, or rolls it
     * back, and releases the lock. Splitting the two lets a caller give up other resources (an
     * ingest concurrency slot) while it waits for the disk.
     */
    final class Pending<T> {
        private final AppState state;
        private final AppState.Before before;
        private final Step<T> step;
        private final CompletableFuture<Void> saved;
        private boolean finished;

        private Pending(
                AppState state,
                AppState.Before before,
                Step<T> step,
                CompletableFuture<Void> saved) {
            this.state = state;
            this.before = before;
            this.step = step;
            this.saved = saved;
        }

        /**
         * Waits for the store (at most {@value #STORE_WAIT_SECONDS} s) and releases the app's write
         * lock.
         *
         * @throws StoreFailure when the change could not be stored: it was rolled back
         */
        T finish() throws StoreFailure {
            if (finished) throw new IllegalStateException("finished twice");
            finished = true;
            try {
                if (saved == null) return step.result();
                saved.get(STORE_WAIT_SECONDS, TimeUnit.SECONDS);
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
            } finally {
                state.writes.unlock();
            }
        }
    }

    /**
     * The first half of {@link #apply}: the change applied and handed to the store; the caller must
     * call {@link Pending#finish} on the same thread, in a {@code finally} if anything runs in
     * between.
     */
    <T> Pending<T> begin(AppState state, Function<AppState, Step<T>> change) {
        state.writes.lock();
        AppState.Before before;
        Step<T> step;
        PersistedApp after;
        try {
            before = state.before();
            synchronized (state) {
                step = change.apply(state); // refuses before it changes anything
                after = step.store() ? state.persisted() : null;
            }
        } catch (RuntimeException | Error e) {
            state.writes.unlock();
            throw e;
        }
        CompletableFuture<Void> saved = null;
        if (after != null) {
            try {
                saved = persistence.get().save(after, step.added(), step.queries());
            } catch (RuntimeException e) {
                saved = CompletableFuture.failedFuture(e);
            }
        }
        return new Pending<>(state, before, step, saved);
    }
}
