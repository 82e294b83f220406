package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.model.Source;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the service knows about one app key, across all its runs (app ids). Mutated only by
 * {@link #apply}, read only through {@link #snapshot}; both under the object's lock.
 */
final class AppState {
    private static final int MAX_TRACKED_RUNS = 16;
    private static final int MAX_WAITING = 10_000;

    private final String app;
    private final long firstSeen;
    private final BatchHistory history;

    // Identity of the current run.
    private String appId;
    private String attemptId;
    private String appName;
    private String sparkVersion;
    private String uiUrl;
    private String host;
    private String instance;
    private String listenerVersion;
    private Long startTime;
    private Long endTime;
    private boolean finished;
    private Long batchIntervalMs;
    private Long inferredIntervalMs;
    private long lastSeen;
    private long lastProgressAt;
    private Boolean restUp;
    private Integer restQueuedBatches;
    private List<AppSnapshot.ReceiverView> restReceivers;
    private boolean hasListener;
    private final Map<String, Map<Integer, Long>> kafkaOffsets = new TreeMap<>();
    private long kafkaOffsetsBatchTime;
    private long kafkaOffsetsObservedAt;
    private long receiverErrorAt;
    private String receiverError;

    private long restarts;
    private long batchesCompleted;
    private long batchesFailed;
    private long recordsTotal;
    private long receiverErrors;
    private final TreeSet<Long> waiting = new TreeSet<>();
    private final Map<Integer, Receiver> receivers = new TreeMap<>();
    private final Buckets processingTime = new Buckets();
    private final Buckets totalDelay = new Buckets();

    // Listener delivery bookkeeping: highest applied seq and last reported drop count, per instance.
    private final Map<String, long[]> instances = lruMap();
    private final Map<String, Boolean> knownRuns = lruMap();
    private long eventsDropped;
    private long eventsLost;
    private long duplicateEvents;
    private long queued;
    /** Batches added by the request being applied (only during {@link #apply}). */
    private List<BatchRecord> newBatches;

    private static final class Receiver {
        final int streamId;
        String name;
        boolean active;
        String location;
        String executorId;
        long errors;
        String lastErrorMessage;
        Long lastErrorTime;

        Receiver(int streamId) {
            this.streamId = streamId;
        }
    }

    private static <V> Map<String, V> lruMap() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_TRACKED_RUNS;
            }
        };
    }

    AppState(String app, int historyCapacity, long now) {
        this.app = app;
        this.history = new BatchHistory(historyCapacity);
        this.firstSeen = now;
        this.lastSeen = now;
        this.lastProgressAt = now;
    }

    /** Outcome of one request for this app: counts, and what must now be made durable. */
    record Applied(int accepted, int duplicates, PersistedApp state, List<BatchRecord> newBatches) {}

    /** The app as it was stored, with its stored batches (oldest first). */
    static AppState restore(PersistedApp p, List<BatchRecord> batches, int historyCapacity) {
        AppState s = new AppState(p.app(), historyCapacity, p.firstSeen());
        s.appId = p.appId();
        s.attemptId = p.attemptId();
        s.appName = p.appName();
        s.sparkVersion = p.sparkVersion();
        s.uiUrl = p.uiUrl();
        s.host = p.host();
        s.instance = p.instance();
        s.listenerVersion = p.listenerVersion();
        s.startTime = p.startTime();
        s.endTime = p.endTime();
        s.finished = p.finished();
        s.batchIntervalMs = p.batchIntervalMs();
        s.inferredIntervalMs = p.inferredIntervalMs();
        s.lastSeen = p.lastSeen();
        s.lastProgressAt = p.lastProgressAt();
        s.hasListener = p.hasListener();
        if (p.kafkaOffsets() != null) p.kafkaOffsets().forEach((t, parts) -> s.kafkaOffsets.put(t, new TreeMap<>(parts)));
        s.kafkaOffsetsBatchTime = p.kafkaOffsetsBatchTime();
        s.kafkaOffsetsObservedAt = p.kafkaOffsetsObservedAt();
        s.receiverErrorAt = p.receiverErrorAt();
        s.receiverError = p.receiverError();
        s.restarts = p.restarts();
        s.batchesCompleted = p.batchesCompleted();
        s.batchesFailed = p.batchesFailed();
        s.recordsTotal = p.recordsTotal();
        s.receiverErrors = p.receiverErrors();
        if (p.receivers() != null) {
            for (AppSnapshot.ReceiverView v : p.receivers()) {
                Receiver r = new Receiver(v.streamId());
                r.name = v.name();
                r.active = v.active();
                r.location = v.location();
                r.executorId = v.executorId();
                r.errors = v.errors();
                r.lastErrorMessage = v.lastErrorMessage();
                r.lastErrorTime = v.lastErrorTime();
                s.receivers.put(r.streamId, r);
            }
        }
        s.processingTime.restore(p.processingTime());
        s.totalDelay.restore(p.totalDelay());
        if (p.watermarks() != null) p.watermarks().forEach((k, v) -> s.instances.put(k, v.clone()));
        if (p.knownRuns() != null) p.knownRuns().forEach(r -> s.knownRuns.put(r, Boolean.TRUE));
        s.eventsDropped = p.eventsDropped();
        s.eventsLost = p.eventsLost();
        s.duplicateEvents = p.duplicateEvents();
        for (BatchRecord b : batches) s.history.add(b);
        return s;
    }

    /** What survives a restart; taken under the lock, so consistent with the batches applied so far. */
    synchronized PersistedApp persisted() {
        List<AppSnapshot.ReceiverView> rs = new ArrayList<>(receivers.size());
        for (Receiver r : receivers.values()) {
            rs.add(new AppSnapshot.ReceiverView(r.streamId, r.name, r.active, r.location, r.executorId, r.errors,
                    r.lastErrorMessage, r.lastErrorTime));
        }
        Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
        kafkaOffsets.forEach((t, parts) -> offsets.put(t, new TreeMap<>(parts)));
        Map<String, long[]> marks = new LinkedHashMap<>();
        instances.forEach((k, v) -> marks.put(k, v.clone()));
        return new PersistedApp(PersistedApp.VERSION, app, firstSeen, appId, attemptId, appName, sparkVersion, uiUrl, host,
                instance, listenerVersion, startTime, endTime, finished, batchIntervalMs, inferredIntervalMs, lastSeen,
                lastProgressAt, hasListener, offsets, kafkaOffsetsBatchTime, kafkaOffsetsObservedAt, receiverErrorAt,
                receiverError, restarts, batchesCompleted, batchesFailed, recordsTotal, receiverErrors, rs,
                processingTime.snapshot(), totalDelay.snapshot(), marks, new ArrayList<>(knownRuns.keySet()), eventsDropped,
                eventsLost, duplicateEvents);
    }

    synchronized Applied apply(IngestBatch batch, long now) {
        Source src = batch.source();
        hasListener = true;
        boolean current = adoptRun(src, now);
        if (current) {
            lastSeen = Math.max(lastSeen, now);
            queued = batch.queued();
        }
        long[] mark = instances.computeIfAbsent(src.appId() + "\u0000" + src.instance(), k -> new long[] {0, 0});
        if (batch.dropped() > mark[1]) {
            eventsDropped += batch.dropped() - mark[1];
            mark[1] = batch.dropped();
        }
        int accepted = 0;
        int duplicates = 0;
        newBatches = new ArrayList<>();
        for (Event e : batch.events()) {
            if (e.seq() != 0) {
                if (e.seq() <= mark[0]) {
                    duplicates++;
                    continue;
                }
                if (e.seq() > mark[0] + 1) {
                    eventsLost += e.seq() - mark[0] - 1;
                }
                mark[0] = e.seq();
            }
            accepted++;
            applyEvent(src.appId(), current, e, now);
        }
        duplicateEvents += duplicates;
        List<BatchRecord> added = newBatches;
        newBatches = null;
        return new Applied(accepted, duplicates, accepted > 0 || duplicates > 0 ? persisted() : null, added);
    }

    /**
     * Makes the sender's run current if it is new. A new app id under a known key is a restart; a
     * late request from an older run still lands its batches in history but changes no identity.
     */
    private boolean adoptRun(Source src, long now) {
        if (src.appId().equals(appId)) {
            refreshIdentity(src);
            return true;
        }
        if (knownRuns.containsKey(src.appId())) {
            return false;
        }
        if (appId != null) {
            restarts++;
        }
        knownRuns.put(src.appId(), Boolean.TRUE);
        appId = src.appId();
        lastProgressAt = now;
        kafkaOffsets.clear();
        kafkaOffsetsBatchTime = 0;
        finished = false;
        startTime = null;
        endTime = null;
        appName = null;
        waiting.clear();
        receivers.clear();
        refreshIdentity(src);
        return true;
    }

    private void refreshIdentity(Source src) {
        attemptId = src.attemptId();
        instance = src.instance();
        if (src.sparkVersion() != null) sparkVersion = src.sparkVersion();
        if (src.uiUrl() != null) uiUrl = src.uiUrl();
        if (src.host() != null) host = src.host();
        if (src.listenerVersion() != null) listenerVersion = src.listenerVersion();
    }

    private void applyEvent(String runId, boolean current, Event e, long now) {
        if (e instanceof Event.BatchEvent b) {
            applyBatch(runId, current, b, now);
        } else if (!current) {
            return; // identity and lifecycle only change for the current run
        } else if (e instanceof Event.AppStart s) {
            appName = s.appName();
            startTime = s.startTime();
        } else if (e instanceof Event.AppEnd end) {
            finished = true;
            endTime = end.endTime();
            waiting.clear();
            receivers.values().forEach(r -> r.active = false);
        } else if (e instanceof Event.StreamingStarted s) {
            if (s.batchIntervalMs() != null) batchIntervalMs = s.batchIntervalMs();
            lastProgressAt = Math.max(lastProgressAt, now);
        } else if (e instanceof Event.ReceiverEvent r) {
            applyReceiver(r, now);
        }
    }

    private void applyBatch(String runId, boolean current, Event.BatchEvent e, long now) {
        long t = e.batch().batchTime();
        switch (e.phase()) {
            case SUBMITTED -> {
                if (current && !finished && waiting.size() < MAX_WAITING && !history.contains(runId, t)) waiting.add(t);
            }
            case STARTED -> {
                if (current) waiting.remove(t);
            }
            case COMPLETED -> {
                if (current) waiting.remove(t);
                BatchRecord previous = history.newest();
                BatchRecord r = BatchRecord.completed(runId, e.batch());
                if (current) {
                    // Progress even when the batch was already backfilled from REST.
                    lastProgressAt = Math.max(lastProgressAt, now);
                    recordOffsets(e.batch(), now);
                }
                if (!history.add(r)) {
                    return;
                }
                if (newBatches != null) newBatches.add(r);
                batchesCompleted++;
                if (r.failed()) batchesFailed++;
                recordsTotal += r.records();
                processingTime.observe(r.processingTimeMs());
                totalDelay.observe(r.totalDelayMs());
                if (previous != null && previous.appId().equals(runId) && r.batchTime() > previous.batchTime()) {
                    long gap = r.batchTime() - previous.batchTime();
                    inferredIntervalMs = inferredIntervalMs == null ? gap : Math.min(inferredIntervalMs, gap);
                }
            }
        }
    }

    /** Offsets of the newest batch win: a restarted app may legitimately go back in a partition. */
    private void recordOffsets(Event.Batch b, long now) {
        if (b.batchTime() < kafkaOffsetsBatchTime) return;
        boolean any = false;
        for (Event.Input in : b.inputs()) {
            for (Event.OffsetRange r : in.offsets()) {
                kafkaOffsets.computeIfAbsent(r.topic(), t -> new TreeMap<>()).put(r.partition(), r.untilOffset());
                any = true;
            }
        }
        if (any) {
            kafkaOffsetsBatchTime = b.batchTime();
            kafkaOffsetsObservedAt = now;
        }
    }

    synchronized KafkaProgress kafkaProgress() {
        if (kafkaOffsets.isEmpty()) return null;
        Map<String, Map<Integer, Long>> copy = new TreeMap<>();
        kafkaOffsets.forEach((t, parts) -> copy.put(t, Map.copyOf(parts)));
        return new KafkaProgress(app, appId, copy, kafkaOffsetsBatchTime, kafkaOffsetsObservedAt);
    }

    /**
     * Adds batches fetched from the driver's REST API: only those not already held, marked
     * backfilled, counted like any completed batch. @return how many were new
     */
    synchronized int backfill(String runId, List<BatchRecord> batches, long now, List<BatchRecord> addedOut) {
        int added = 0;
        for (BatchRecord r : batches) {
            if (!r.appId().equals(runId) || !history.add(r)) continue;
            added++;
            addedOut.add(r);
            batchesCompleted++;
            if (r.failed()) batchesFailed++;
            recordsTotal += r.records();
            processingTime.observe(r.processingTimeMs());
            totalDelay.observe(r.totalDelayMs());
            if (runId.equals(appId)) {
                waiting.remove(r.batchTime());
                if (!hasListener) lastProgressAt = Math.max(lastProgressAt, now);
            }
        }
        return added;
    }

    /** A successful poll of the driver's REST API. For an app without a listener, it is its heartbeat. */
    synchronized void restObserved(RestObservation o, long now) {
        restUp = true;
        if (appId == null && o.appId() != null) {
            appId = o.appId();
            knownRuns.put(appId, Boolean.TRUE);
        } else if (!hasListener && o.appId() != null && !o.appId().equals(appId)) {
            if (!knownRuns.containsKey(o.appId())) restarts++;
            knownRuns.put(o.appId(), Boolean.TRUE);
            appId = o.appId();
            lastProgressAt = now;
        }
        if (sparkVersion == null) sparkVersion = o.sparkVersion();
        if (uiUrl == null) uiUrl = o.uiUrl();
        if (batchIntervalMs == null && o.batchIntervalMs() != null) batchIntervalMs = o.batchIntervalMs();
        if (startTime == null) startTime = o.startTime();
        if (!hasListener) {
            lastSeen = Math.max(lastSeen, now);
            restQueuedBatches = o.queuedBatches();
            restReceivers = o.receivers() == null ? null : List.copyOf(o.receivers());
        }
    }

    synchronized String runId() {
        return appId;
    }

    synchronized boolean hasListener() {
        return hasListener;
    }

    private void applyReceiver(Event.ReceiverEvent e, long now) {
        Event.Receiver info = e.receiver();
        Receiver r = receivers.computeIfAbsent(info.streamId(), Receiver::new);
        r.name = info.name();
        r.location = info.location();
        r.executorId = info.executorId();
        switch (e.phase()) {
            case STARTED -> r.active = true;
            case STOPPED -> r.active = false;
            case ERROR -> {
                r.active = info.active();
                r.errors++;
                receiverErrors++;
                r.lastErrorMessage = info.lastErrorMessage();
                r.lastErrorTime = e.time();
                receiverErrorAt = now;
                receiverError = "receiver " + r.streamId + (r.name == null ? "" : " (" + r.name + ")") + ": "
                        + (info.lastErrorMessage() == null ? "error" : info.lastErrorMessage());
            }
        }
    }

    synchronized void restStatus(boolean up) {
        restUp = up;
    }

    /** The rules' view: the newest {@code n} batches of the current run, oldest first. */
    synchronized AppWindow window(int n, long now) {
        List<BatchRecord> newest = history.newest(n);
        List<BatchRecord> recent = new ArrayList<>(newest.size());
        for (int i = newest.size() - 1; i >= 0; i--) {
            if (newest.get(i).appId().equals(appId)) recent.add(newest.get(i));
        }
        return new AppWindow(app, appId, batchIntervalMs != null ? batchIntervalMs : inferredIntervalMs, recent, now,
                lastSeen, finished, lastProgressAt, restUp, receiverErrorAt, receiverError);
    }

    synchronized List<BatchRecord> batches(int limit) {
        return history.newest(limit);
    }

    synchronized long lastSeen() {
        return lastSeen;
    }

    synchronized boolean finished() {
        return finished;
    }

    synchronized AppSnapshot snapshot(long now, long downAfterMs) {
        String state = finished ? AppSnapshot.FINISHED
                : now - lastSeen <= downAfterMs ? AppSnapshot.RUNNING : AppSnapshot.SILENT;
        List<AppSnapshot.ReceiverView> rs = new ArrayList<>(receivers.size());
        for (Receiver r : receivers.values()) {
            rs.add(new AppSnapshot.ReceiverView(r.streamId, r.name, r.active, r.location, r.executorId, r.errors,
                    r.lastErrorMessage, r.lastErrorTime));
        }
        if (!hasListener && restReceivers != null) rs.addAll(restReceivers);
        rs.sort(Comparator.comparingInt(AppSnapshot.ReceiverView::streamId));
        return new AppSnapshot(app, appId, attemptId, appName, sparkVersion, uiUrl, host, state,
                batchIntervalMs != null ? batchIntervalMs : inferredIntervalMs,
                firstSeen, lastSeen, startTime, endTime, restarts, batchesCompleted, batchesFailed, recordsTotal,
                receiverErrors, !hasListener && restQueuedBatches != null ? restQueuedBatches : waiting.size(), List.copyOf(rs),
                history.newest(), processingTime.snapshot(),
                totalDelay.snapshot(),
                new AppSnapshot.ListenerView(instance, listenerVersion, eventsDropped, eventsLost, duplicateEvents, queued),
                restUp);
    }
}
