package io.streamwatch.service.state;

import io.streamwatch.service.ingest.RejectedException;
import io.streamwatch.service.model.IngestBatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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

    public AppRegistry(Clock clock, int historyCapacity, int maxApps, Duration downAfter, Duration appRetention) {
        this.clock = clock;
        this.historyCapacity = historyCapacity;
        this.maxApps = maxApps;
        this.downAfterMs = downAfter.toMillis();
        this.appRetentionMs = appRetention.toMillis();
    }

    /** What one ingest request did. */
    public record Result(int accepted, int duplicates) {}

    /** @throws RejectedException 429 when the request would add an app beyond {@code maxApps} */
    public Result apply(IngestBatch batch) {
        long now = clock.millis();
        String key = batch.source().app();
        AppState state = apps.get(key);
        if (state == null) {
            synchronized (this) {
                state = apps.get(key);
                if (state == null) {
                    if (apps.size() >= maxApps) {
                        throw new RejectedException(429, "too many apps: this service tracks at most " + maxApps
                                + " (ingest.maxApps); app '" + key + "' was not added. Raise ingest.maxApps or retire unused app keys");
                    }
                    state = new AppState(key, historyCapacity, now);
                    apps.put(key, state);
                }
            }
        }
        AppState.Applied a = state.apply(batch, now);
        return new Result(a.accepted(), a.duplicates());
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

    /** Records whether the driver's REST API answered (from the REST poller). */
    public void restStatus(String app, boolean up) {
        AppState s = apps.get(app);
        if (s != null) s.restStatus(up);
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
                removed++;
            }
        }
        return removed;
    }
}
