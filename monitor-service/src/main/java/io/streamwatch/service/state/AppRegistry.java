package io.streamwatch.service.state;

import io.streamwatch.service.model.IngestBatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All apps by app key. State changes only through {@link #apply} (listener requests), {@link
 * #restObserved}, {@link #restFailed} and {@link #backfill} (REST polls) and {@link #kafkaLag}
 * (Kafka polls); reads get immutable snapshots. Each change is handed to the {@link Persistence}
 * ({@link DurableChanges}) under the app's write lock and waited for: when it cannot be stored it
 * is rolled back, so memory never holds what a restart would lose. Stored changes are then told to
 * every {@link StateListener}. Apps that ended or went silent are forgotten after {@code
 * appRetention} by {@link #sweep}.
 */
public final class AppRegistry {
    private static final Logger log = LoggerFactory.getLogger(AppRegistry.class);
    private final ConcurrentHashMap<String, AppState> apps = new ConcurrentHashMap<>();
    private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    private final int historyCapacity;
    private final int maxApps;
    private final long downAfterMs;
    private final long appRetentionMs;

    private volatile int batchWindow;
    private volatile int microBatchWindow = Query.WINDOW;
    private volatile long stateGrowthWindowMs = Duration.ofHours(2).toMillis();
    private volatile Persistence persistence = Persistence.none();
    private final DurableChanges durable = new DurableChanges(() -> persistence);

    public AppRegistry(
            Clock clock,
            int historyCapacity,
            int maxApps,
            Duration downAfter,
            Duration appRetention) {
        this.clock = clock;
        this.historyCapacity = historyCapacity;
        this.batchWindow = historyCapacity;
        this.maxApps = maxApps;
        this.downAfterMs = downAfter.toMillis();
        this.appRetentionMs = appRetention.toMillis();
    }

    /**
     * How long silence makes an app down ({@code alerting.appDownAfter}); also how long a query
     * stopped cleanly keeps its alerts, in case a new run of it follows (a redeploy).
     */
    public long downAfterMs() {
        return downAfterMs;
    }

    /**
     * The span of each query's state-size history ({@code alerting.stateGrowthWindow}, default 2
     * h), for micro-batches recorded from now on.
     */
    public AppRegistry stateGrowthWindow(Duration window) {
        this.stateGrowthWindowMs = window.toMillis();
        return this;
    }

    /**
     * How many of each app's newest batches, and of each query's newest micro-batches, are held in
     * memory for apps and queries added from now on (by default {@code historyCapacity} and {@link
     * Query#WINDOW}). With a {@link Persistence} that keeps the history, the rules' windows are
     * enough: {@link #batches} and {@link #microBatches} read the history from it.
     */
    public AppRegistry keepInMemory(int batches, int microBatches) {
        this.batchWindow = Math.max(1, batches);
        this.microBatchWindow = Math.max(1, microBatches);
        return this;
    }

    /** Completed batches held in memory per app. */
    public int batchWindow() {
        return batchWindow;
    }

    /** Micro-batches held in memory per query. */
    public int microBatchWindow() {
        return microBatchWindow;
    }

    /** Where changes are made durable from now on. */
    public void persistTo(Persistence p) {
        this.persistence = p;
    }

    /** {@code listener} is told of every change from now on. */
    public void subscribe(StateListener listener) {
        listeners.add(listener);
    }

    /** Puts back apps as they were stored (at start, before any ingest), without query history. */
    public void restore(List<PersistedApp> stored, Map<String, List<BatchRecord>> batches) {
        restore(stored, batches, Map.of());
    }

    /**
     * Puts back apps as they were stored (at start, before any ingest).
     *
     * @param microBatches per app, per query key: the newest stored micro-batches, oldest first
     */
    public void restore(
            List<PersistedApp> stored,
            Map<String, List<BatchRecord>> batches,
            Map<String, Map<String, List<MicroBatch>>> microBatches) {
        for (PersistedApp p : stored) {
            apps.put(
                    p.app(),
                    AppState.restore(
                            p,
                            batches.getOrDefault(p.app(), List.of()),
                            microBatches.getOrDefault(p.app(), Map.of()),
                            batchWindow,
                            microBatchWindow));
        }
    }

    /**
     * What one ingest request did. {@code durable} completes once its effect is on disk: the
     * request is acknowledged only then.
     */
    public record Result(int accepted, int duplicates, CompletableFuture<Void> durable) {}

    /**
     * @throws AppLimitException when the request would add an app beyond {@code maxApps}
     */
    public Result apply(IngestBatch batch) {
        return begin(batch).finish();
    }

    /**
     * An ingest request applied in memory and handed to the store. {@link #finish} must follow on
     * the same thread: it waits for the disk (the app's later changes wait for it too) and then
     * tells the {@link StateListener}s.
     */
    public final class Pending {
        private final String key;
        private final DurableChanges.Pending<AppState.Applied> change;

        private Pending(String key, DurableChanges.Pending<AppState.Applied> change) {
            this.key = key;
            this.change = change;
        }

        /** What the request did, once it is on disk; a failed {@code durable} when it is not. */
        public Result finish() {
            AppState.Applied a;
            try {
                a = change.finish();
            } catch (DurableChanges.StoreFailure e) {
                return new Result(0, 0, CompletableFuture.failedFuture(e.getCause()));
            }
            if (a.accepted() > 0) changed(key);
            return new Result(
                    a.accepted(), a.duplicates(), CompletableFuture.completedFuture(null));
        }
    }

    /**
     * The first half of {@link #apply}: every check and the change in memory; the store's answer is
     * waited for by {@link Pending#finish}.
     *
     * @throws AppLimitException when the request would add an app beyond {@code maxApps}
     */
    public Pending begin(IngestBatch batch) {
        long now = clock.millis();
        String key = batch.source().app();
        AppState state = getOrCreate(key, now);
        if (state == null) throw new AppLimitException(key, maxApps);
        return new Pending(
                key,
                durable.begin(
                        state,
                        s -> {
                            AppState.Applied applied = s.apply(batch, now, stateGrowthWindowMs);
                            // A new app is stored even when its first request carries no
                            // events (a heartbeat): else it is gone after a restart.
                            return new DurableChanges.Step<>(
                                    applied,
                                    applied.newBatches(),
                                    applied.queries(),
                                    applied.changed() || !s.stored);
                        }));
    }

    /**
     * @return null when the app is new and {@code maxApps} is reached
     */
    private AppState getOrCreate(String key, long now) {
        AppState state = apps.get(key);
        if (state != null) return state;
        synchronized (this) {
            state = apps.get(key);
            if (state == null) {
                if (apps.size() >= maxApps) return null;
                state = new AppState(key, batchWindow, microBatchWindow, now);
                apps.put(key, state);
            }
            return state;
        }
    }

    private void changed(String app) {
        for (StateListener l : listeners) {
            try {
                l.changed(app);
            } catch (RuntimeException e) {
                log.error(
                        "a listener of app state failed on app '{}'; the change itself stands",
                        app,
                        e);
            }
        }
    }

    public Optional<AppSnapshot> snapshot(String app) {
        AppState s = apps.get(app);
        return s == null ? Optional.empty() : Optional.of(s.snapshot(clock.millis(), downAfterMs));
    }

    /** Every app, sorted by key. */
    public List<AppSnapshot> snapshots() {
        long now = clock.millis();
        List<AppSnapshot> out = new ArrayList<>(apps.size());
        for (AppState s : apps.values()) {
            out.add(s.snapshot(now, downAfterMs));
        }
        out.sort(Comparator.comparing(AppSnapshot::app));
        return out;
    }

    /**
     * The newest {@code limit} batches of an app, newest first, from the store (or from memory when
     * nothing is stored); empty for an unknown app.
     */
    public Optional<List<BatchRecord>> batches(String app, int limit) {
        AppState s = apps.get(app);
        if (s == null) return Optional.empty();
        List<BatchRecord> stored = persistence.batches(app, limit);
        return Optional.of(stored != null ? stored : s.batches(limit));
    }

    /** Every app's rule window at one instant. */
    public List<AppWindow> windows(int batches) {
        return windows(batches, app -> false);
    }

    /**
     * Every app's rule window but those {@code skip} names (asked once for each app, before its
     * window is built).
     */
    public List<AppWindow> windows(int batches, java.util.function.Predicate<String> skip) {
        long now = clock.millis();
        List<AppWindow> out = new ArrayList<>(apps.size());
        for (Map.Entry<String, AppState> e : apps.entrySet()) {
            if (!skip.test(e.getKey())) out.add(e.getValue().window(batches, now));
        }
        return out;
    }

    public Optional<AppWindow> window(String app, int batches) {
        AppState s = apps.get(app);
        return s == null ? Optional.empty() : Optional.of(s.window(batches, clock.millis()));
    }

    /**
     * Every query's rule window at one instant, with the newest {@code microBatches} of its current
     * run.
     */
    public List<QueryWindow> queryWindows(int microBatches) {
        return queryWindows(microBatches, (app, query) -> false);
    }

    /**
     * Every query's rule window but those {@code skip} names (asked once for each query, before its
     * window is built).
     */
    public List<QueryWindow> queryWindows(
            int microBatches, java.util.function.BiPredicate<String, String> skip) {
        long now = clock.millis();
        List<QueryWindow> out = new ArrayList<>();
        for (Map.Entry<String, AppState> e : apps.entrySet()) {
            String app = e.getKey();
            out.addAll(e.getValue().queryWindows(microBatches, now, q -> skip.test(app, q)));
        }
        return out;
    }

    /** The rule windows of the app's queries; empty for an unknown app. */
    public List<QueryWindow> queryWindows(String app, int microBatches) {
        AppState s = apps.get(app);
        return s == null ? List.of() : s.queryWindows(null, microBatches, clock.millis());
    }

    /** One query's rule window; empty when the app or the query is unknown. */
    public Optional<QueryWindow> queryWindow(String app, String query, int microBatches) {
        AppState s = apps.get(app);
        if (s == null) return Optional.empty();
        List<QueryWindow> w = s.queryWindows(query, microBatches, clock.millis());
        return w.isEmpty() ? Optional.empty() : Optional.of(w.get(0));
    }

    /**
     * Records that the driver's REST API did not answer (from the REST poller). A configured target
     * that has never answered is added, so that it shows up as down instead of not at all.
     */
    public void restFailed(String app) {
        AppState s = getOrCreate(app, clock.millis());
        if (s == null) return;
        try {
            durable.apply(
                    s,
                    st -> {
                        st.restFailed();
                        return new DurableChanges.Step<>(null, List.of(), true);
                    });
        } catch (DurableChanges.StoreFailure e) {
            log.warn("app '{}': REST state not stored: {}", app, e.getCause().getMessage());
            return;
        }
        changed(app);
    }

    /** The app's UI is not polled, for the reason given (shown by the API, not persisted). */
    public void restRefused(String app, String why) {
        AppState s = getOrCreate(app, clock.millis());
        if (s == null) return;
        s.restRefused(why);
        changed(app);
    }

    /**
     * Records a successful REST poll; creates the app when it is a configured target the listener
     * never reported (subject to {@code maxApps}). @return false when the app could not be added
     */
    public boolean restObserved(String app, RestObservation o) {
        AppState s = getOrCreate(app, clock.millis());
        if (s == null) return false;
        try {
            durable.apply(
                    s,
                    st -> {
                        st.restObserved(o, clock.millis());
                        return new DurableChanges.Step<>(null, List.of(), true);
                    });
        } catch (DurableChanges.StoreFailure e) {
            log.warn("app '{}': REST state not stored: {}", app, e.getCause().getMessage());
            return true;
        }
        changed(app);
        return true;
    }

    /**
     * Adds batches fetched from the driver's REST API to {@code app}'s history. @return how many
     * were new
     */
    public int backfill(String app, String appId, List<BatchRecord> batches) {
        AppState s = apps.get(app);
        if (s == null) return 0;
        List<BatchRecord> added;
        try {
            added =
                    durable.apply(
                            s,
                            st -> {
                                List<BatchRecord> a = st.backfill(appId, batches, clock.millis());
                                return new DurableChanges.Step<>(a, a, !a.isEmpty());
                            });
        } catch (DurableChanges.StoreFailure e) {
            log.warn("app '{}': backfilled batches not stored: {}", app, e.getCause().getMessage());
            return 0;
        }
        if (!added.isEmpty()) changed(app);
        return added.size();
    }

    /** The app's current Spark application id and whether a listener reports for it. */
    public Optional<RunInfo> run(String app) {
        AppState s = apps.get(app);
        return s == null ? Optional.empty() : Optional.of(new RunInfo(s.runId(), s.hasListener()));
    }

    public record RunInfo(String appId, boolean hasListener) {}

    /**
     * Kafka offsets processed by each app's newest batch, for apps with Kafka direct stream inputs.
     */
    public List<KafkaProgress> kafkaProgress() {
        List<KafkaProgress> out = new ArrayList<>();
        for (AppState s : apps.values()) {
            KafkaProgress p = s.kafkaProgress();
            if (p != null) out.add(p);
        }
        return out;
    }

    /**
     * One Kafka poll's lag per app (summed over its topics): each app keeps its newest {@code
     * window} samples; an app missing from {@code byApp} loses its samples. Not persisted.
     */
    public void kafkaLag(Map<String, LagWindow.Sample> byApp, int window) {
        for (Map.Entry<String, AppState> e : apps.entrySet()) {
            e.getValue().kafkaLag(byApp.get(e.getKey()), window);
        }
    }

    /** Recent Kafka lag of every app that has samples, oldest sample first. */
    public List<LagWindow> lagWindows() {
        long now = clock.millis();
        List<LagWindow> out = new ArrayList<>();
        for (AppState s : apps.values()) {
            LagWindow w = s.lagWindow(now);
            if (w != null) out.add(w);
        }
        return out;
    }

    /**
     * The app's queries' Kafka offsets: of each query's newest micro-batch of its current run, for
     * queries reading Kafka.
     */
    public List<QueryKafkaProgress> queryKafkaProgress() {
        List<QueryKafkaProgress> out = new ArrayList<>();
        for (AppState s : apps.values()) out.addAll(s.queryKafkaProgress());
        return out;
    }

    /**
     * What the Kafka poller measured for one query: {@code lag} per topic (for the snapshot) and
     * {@code sample}, summed over topics, of which the query keeps the newest {@code window}. Both
     * null or empty: the query is no longer polled, its lag goes. Not persisted.
     */
    public void queryKafkaLag(
            String app,
            String query,
            List<QuerySnapshot.TopicLag> lag,
            LagWindow.Sample sample,
            int window) {
        AppState s = apps.get(app);
        if (s != null) s.queryKafkaLag(query, lag, sample, window);
    }

    /**
     * The newest {@code limit} micro-batches of a query, newest first, from the store (or from
     * memory when nothing is stored); empty when the app or the query is unknown.
     */
    public Optional<List<MicroBatch>> microBatches(String app, String query, int limit) {
        AppState s = apps.get(app);
        if (s == null || !s.knowsQuery(query)) return Optional.empty();
        List<MicroBatch> stored = persistence.microBatches(app, query, limit);
        return Optional.ofNullable(stored != null ? stored : s.microBatches(query, limit));
    }

    /** The most micro-batches per query {@link #microBatches} serves. */
    public int microBatchCapacity() {
        return persistence.microBatchCapacity();
    }

    public int size() {
        return apps.size();
    }

    public int historyCapacity() {
        return historyCapacity;
    }

    /** Forgets apps not heard from for {@code appRetention}. @return how many were removed */
    public int sweep() {
        long now = clock.millis();
        int removed = 0;
        for (var e : apps.entrySet()) {
            if (now - e.getValue().lastSeen() > appRetentionMs
                    && apps.remove(e.getKey(), e.getValue())) {
                persistence.forget(e.getKey());
                removed++;
            }
        }
        return removed;
    }
}
