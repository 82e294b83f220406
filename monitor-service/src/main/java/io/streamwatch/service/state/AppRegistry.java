package io.streamwatch.service.state;

import io.streamwatch.service.ingest.RejectedException;
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

/**
 * All apps by app key. The only way state changes is {@link #apply}; reads get immutable snapshots.
 * Apps that ended or went silent are forgotten after {@code appRetention} by {@link #sweep}.
 */
public final class AppRegistry {
    private final ConcurrentHashMap<String, AppState> apps = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int historyCapacity;
    private final int maxApps;
    private final long downAfterMs;
    private final long appRetentionMs;

    private volatile Persistence persistence = Persistence.none();

    public AppRegistry(Clock clock, int historyCapacity, int maxApps, Duration downAfter, Duration appRetention) {
        this.clock = clock;
        this.historyCapacity = historyCapacity;
        this.maxApps = maxApps;
        this.downAfterMs = downAfter.toMillis();
        this.appRetentionMs = appRetention.toMillis();
    }

    /** Where changes are made durable from now on. */
    public void persistTo(Persistence p) {
        this.persistence = p;
    }

    /** Puts back apps as they were stored (at start, before any ingest). */
    public void restore(List<PersistedApp> stored, Map<String, List<BatchRecord>> batches) {
        for (PersistedApp p : stored) {
            apps.put(p.app(), AppState.restore(p, batches.getOrDefault(p.app(), List.of()), historyCapacity));
        }
    }

    /**
     * What one ingest request did. {@code durable} completes once its effect is on disk: the
     * request is acknowledged only then.
     */
    public record Result(int accepted, int duplicates, CompletableFuture<Void> durable) {}

    /** @throws RejectedException 429 when the request would add an app beyond {@code maxApps} */
    public Result apply(IngestBatch batch) {
        long now = clock.millis();
        String key = batch.source().app();
        AppState state = getOrCreate(key, now);
        if (state == null) {
            throw new RejectedException(429, "too many apps: this service tracks at most " + maxApps
                    + " (ingest.maxApps); app '" + key + "' was not added. Raise ingest.maxApps or retire unused app keys");
        }
        AppState.Applied a = state.apply(batch, now);
        CompletableFuture<Void> durable = a.state() == null ? CompletableFuture.completedFuture(null)
                : persistence.save(a.state(), a.newBatches());
        return new Result(a.accepted(), a.duplicates(), durable);
    }

    /** @return null when the app is new and {@code maxApps} is reached */
    private AppState getOrCreate(String key, long now) {
        AppState state = apps.get(key);
        if (state != null) return state;
        synchronized (this) {
            state = apps.get(key);
            if (state == null) {
                if (apps.size() >= maxApps) return null;
                state = new AppState(key, historyCapacity, now);
                apps.put(key, state);
            }
            return state;
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

    public Optional<List<BatchRecord>> batches(String app, int limit) {
        AppState s = apps.get(app);
        return s == null ? Optional.empty() : Optional.of(s.batches(limit));
    }

    /** Every app's rule window at one instant. */
    public List<AppWindow> windows(int batches) {
        long now = clock.millis();
        List<AppWindow> out = new ArrayList<>(apps.size());
        for (AppState s : apps.values()) out.add(s.window(batches, now));
        return out;
    }

    public Optional<AppWindow> window(String app, int batches) {
        AppState s = apps.get(app);
        return s == null ? Optional.empty() : Optional.of(s.window(batches, clock.millis()));
    }

    /**
     * Records that the driver's REST API did not answer (from the REST poller). A configured target
     * that has never answered is added, so that it shows up as down instead of not at all.
     */
    public void restFailed(String app) {
        AppState s = getOrCreate(app, clock.millis());
        if (s != null) {
            s.restStatus(false);
            persistence.save(s.persisted(), List.of());
        }
    }

    /**
     * Records a successful REST poll; creates the app when it is a configured target the listener
     * never reported (subject to {@code maxApps}). @return false when the app could not be added
     */
    public boolean restObserved(String app, RestObservation o) {
        AppState s = getOrCreate(app, clock.millis());
        if (s == null) return false;
        s.restObserved(o, clock.millis());
        persistence.save(s.persisted(), List.of());
        return true;
    }

    /** Adds batches fetched from the driver's REST API to {@code app}'s history. @return how many were new */
    public int backfill(String app, String appId, List<BatchRecord> batches) {
        AppState s = apps.get(app);
        if (s == null) return 0;
        List<BatchRecord> added = new ArrayList<>();
        int n = s.backfill(appId, batches, clock.millis(), added);
        if (n > 0) persistence.save(s.persisted(), added);
        return n;
    }

    /** The app's current Spark application id and whether a listener reports for it. */
    public Optional<RunInfo> run(String app) {
        AppState s = apps.get(app);
        return s == null ? Optional.empty() : Optional.of(new RunInfo(s.runId(), s.hasListener()));
    }

    public record RunInfo(String appId, boolean hasListener) {}

    /** Kafka offsets processed by each app's newest batch, for apps with Kafka direct stream inputs. */
    public List<KafkaProgress> kafkaProgress() {
        List<KafkaProgress> out = new ArrayList<>();
        for (AppState s : apps.values()) {
            KafkaProgress p = s.kafkaProgress();
            if (p != null) out.add(p);
        }
        return out;
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
            if (now - e.getValue().lastSeen() > appRetentionMs && apps.remove(e.getKey(), e.getValue())) {
                persistence.forget(e.getKey());
                removed++;
            }
        }
        return removed;
    }
}
