package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the app is in its Kafka topics: the offsets its newest completed batch processed up to (per
 * topic and partition, from its Kafka direct stream inputs) and its recent lag, one sample per
 * Kafka poll. Guarded by its {@link AppState}.
 */
public final class KafkaPosition {
    /** The most Kafka topics one app may have offsets in. */
    static final int MAX_TOPICS = 1000;

    /** The most Kafka partitions, over all its topics, one app may have offsets in. */
    static final int MAX_PARTITIONS = 10_000;

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

    /**
     * Refuses a request whose completed batches would give the app offsets in more than {@value
     * #MAX_TOPICS} topics or {@value #MAX_PARTITIONS} partitions. @param newRun the request starts
     * a new run: the current offsets go
     */
    void admit(String app, List<Event> events, boolean newRun) {
        int topics = newRun ? 0 : offsets.size();
        int partitions = 0;
        if (!newRun) for (Map<Integer, Long> p : offsets.values()) partitions += p.size();
        Map<String, Set<Integer>> added = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            if (!(events.get(i) instanceof Event.BatchEvent b)
                    || b.phase() != Event.BatchPhase.COMPLETED) continue;
            List<Event.Input> inputs = b.batch().inputs();
            for (int j = 0; j < inputs.size(); j++) {
                List<Event.OffsetRange> ranges = inputs.get(j).offsets();
                for (int k = 0; k < ranges.size(); k++) {
                    Event.OffsetRange r = ranges.get(k);
                    Map<Integer, Long> held = newRun ? null : offsets.get(r.topic());
                    if (held != null && held.containsKey(r.partition())) continue;
                    String at = "events[" + i + "].batch.inputs[" + j + "].offsets[" + k + "].";
                    Set<Integer> more = added.get(r.topic());
                    if (more == null) {
                        if (held == null && ++topics > MAX_TOPICS)
                            throw tooMany(at + "topic", app, MAX_TOPICS, "Kafka topics");
                        more = new HashSet<>();
                        added.put(r.topic(), more);
                    }
                    if (more.add(r.partition()) && ++partitions > MAX_PARTITIONS)
                        throw tooMany(at + "partition", app, MAX_PARTITIONS, "Kafka partitions");
                }
            }
        }
    }

    private static AppLimitException tooMany(String at, String app, int max, String what) {
        return AppLimitException.perApp(
                at
                        + ": app '"
                        + app
                        + "' already has "
                        + max
                        + " "
                        + what
                        + " (the most an app may have); nothing of this request was applied");
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
