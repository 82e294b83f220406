package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the app is in its Kafka topics: the offsets its newest completed batch processed up to (per
 * topic and partition, from its Kafka direct stream inputs) and its recent lag, one sample per
 * Kafka poll. Guarded by its {@link AppState}.
 */
public final class KafkaPosition {
    private final Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
    private long batchTime;
    private long observedAt;
    private final ArrayDeque<LagWindow.Sample> lag = new ArrayDeque<>();

    /** What survives a restart (not the lag samples: the next polls take them again). */
    public record Persisted(
            Map<String, Map<Integer, Long>> offsets, long batchTime, long observedAt) {}

    KafkaPosition() {}

    KafkaPosition(Persisted p) {
        if (p == null) return;
        if (p.offsets() != null)
            p.offsets().forEach((t, parts) -> offsets.put(t, new TreeMap<>(parts)));
        batchTime = p.batchTime();
        observedAt = p.observedAt();
    }

    /** Puts back the persisted fields as they were; the lag samples stay. */
    void restore(Persisted p) {
        offsets.clear();
        p.offsets().forEach((t, parts) -> offsets.put(t, new TreeMap<>(parts)));
        batchTime = p.batchTime();
        observedAt = p.observedAt();
    }

    Persisted persisted() {
        return new Persisted(copy(), batchTime, observedAt);
    }

    private Map<String, Map<Integer, Long>> copy() {
        Map<String, Map<Integer, Long>> out = new TreeMap<>();
        offsets.forEach((t, parts) -> out.put(t, new TreeMap<>(parts)));
        return out;
    }

    /** Offsets of the newest batch win: a restarted app may legitimately go back in a partition. */
    void completed(Event.Batch b, long now) {
        if (b.batchTime() < batchTime) return;
        boolean any = false;
        for (Event.Input in : b.inputs()) {
            for (Event.OffsetRange r : in.offsets()) {
                offsets.computeIfAbsent(r.topic(), t -> new TreeMap<>())
                        .put(r.partition(), r.untilOffset());
                any = true;
            }
        }
        if (any) {
            batchTime = b.batchTime();
            observedAt = now;
        }
    }

    /** A new run starts from its own offsets. */
    void newRun() {
        offsets.clear();
        batchTime = 0;
    }

    /** null when the app has no Kafka direct stream input. */
    KafkaProgress progress(String app, String appId) {
        if (offsets.isEmpty()) return null;
        Map<String, Map<Integer, Long>> copy = new TreeMap<>();
        offsets.forEach((t, parts) -> copy.put(t, Map.copyOf(parts)));
        return new KafkaProgress(app, appId, copy, batchTime, observedAt);
    }

    /** Adds one lag sample, keeping the newest {@code window}. */
    void lag(LagWindow.Sample sample, int window) {
        lag.addLast(sample);
        while (lag.size() > Math.max(1, window)) lag.removeFirst();
    }

    /** The app is no longer in the lag report: its samples go. */
    void forgetLag() {
        lag.clear();
    }

    /** null when there are no samples. */
    LagWindow lagWindow(String app, long now) {
        return lag.isEmpty() ? null : new LagWindow("app", app, new ArrayList<>(lag), now);
    }
}
