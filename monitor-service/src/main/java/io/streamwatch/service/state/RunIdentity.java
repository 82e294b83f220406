package io.streamwatch.service.state;

import io.streamwatch.service.model.Source;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which Spark application run an app key currently is, and its lifecycle: ids, names, versions,
 * where its UI is, when it started and ended, its batch interval, the runs seen before (restarts),
 * and when it was last heard from and last made progress. Guarded by its {@link AppState}.
 */
public final class RunIdentity {
    private static final int MAX_TRACKED_RUNS = 16;

    /** The most changes of the app's identity labels in any minute. */
    static final int MAX_LABEL_CHANGES = 10;

    private static final long MINUTE_MS = 60_000;

    private final long firstSeen;
    private String appId;
    private String attemptId;
    private String appName;
    private String sparkVersion;
    private String uiUrl;
    private String host;
    private Long startTime;
    private Long endTime;
    private boolean finished;
    private Long batchIntervalMs;
    private long lastSeen;
    private long lastProgressAt;
    private long restarts;
    private final Map<String, Boolean> knownRuns = lruMap(MAX_TRACKED_RUNS);

    /** When the identity labels changed in the last minute (not persisted), oldest first. */
    private final ArrayDeque<Long> labelChanges = new ArrayDeque<>();

    /**
     * Its slice of {@link AppSnapshot}. @param batchIntervalMs as reported (the snapshot's own may
     * be inferred)
     */
    public record View(
            String appId,
            String attemptId,
            String appName,
            String sparkVersion,
            String uiUrl,
            String host,
            Long batchIntervalMs,
            long firstSeen,
            long lastSeen,
            Long startTime,
            Long endTime,
            boolean finished,
            long restarts) {}

    /** What survives a restart. */
    public record Persisted(
            long firstSeen,
            String appId,
            String attemptId,
            String appName,
            String sparkVersion,
            String uiUrl,
            String host,
            Long startTime,
            Long endTime,
            boolean finished,
            Long batchIntervalMs,
            long lastSeen,
            long lastProgressAt,
            long restarts,
            List<String> knownRuns) {}

    RunIdentity(long now) {
        this.firstSeen = now;
        this.lastSeen = now;
        this.lastProgressAt = now;
    }

    RunIdentity(Persisted p) {
        this(p.firstSeen());
        appId = p.appId();
        attemptId = p.attemptId();
        appName = p.appName();
        sparkVersion = p.sparkVersion();
        uiUrl = p.uiUrl();
        host = p.host();
        startTime = p.startTime();
        endTime = p.endTime();
        finished = p.finished();
        batchIntervalMs = p.batchIntervalMs();
        lastSeen = p.lastSeen();
        lastProgressAt = p.lastProgressAt();
        restarts = p.restarts();
        if (p.knownRuns() != null) p.knownRuns().forEach(r -> knownRuns.put(r, Boolean.TRUE));
    }

    Persisted persisted() {
        return new Persisted(
                firstSeen,
                appId,
                attemptId,
                appName,
                sparkVersion,
                uiUrl,
                host,
                startTime,
                endTime,
                finished,
                batchIntervalMs,
                lastSeen,
                lastProgressAt,
                restarts,
                new ArrayList<>(knownRuns.keySet()));
    }

    View view() {
        return new View(
                appId,
                attemptId,
                appName,
                sparkVersion,
                uiUrl,
                host,
                batchIntervalMs,
                firstSeen,
                lastSeen,
                startTime,
                endTime,
                finished,
                restarts);
    }

    static <V> Map<String, V> lruMap(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }

    /** Whether {@code src} is the current run; refreshes what it reports of itself when it is. */
    boolean isCurrent(Source src) {
        if (!src.appId().equals(appId)) return false;
        refresh(src);
        return true;
    }

    boolean known(String runId) {
        return knownRuns.containsKey(runId);
    }

    /** Makes a run never seen before current. A new app id under a known key is a restart. */
    void adopt(Source src, long now) {
        if (appId != null) restarts++;
        knownRuns.put(src.appId(), Boolean.TRUE);
        appId = src.appId();
        lastProgressAt = now;
        finished = false;
        startTime = null;
        endTime = null;
        appName = null;
        refresh(src);
    }

    /**
     * Lets a request from the current or a new run through unless it changes the identity labels
     * (app id, attempt id, Spark version, UI URL) beyond {@value #MAX_LABEL_CHANGES} times a
     * minute; a change let through is counted.
     *
     * @throws AppLimitException (429 with the seconds until a change is allowed again)
     */
    void admit(String app, Source src, long now) {
        boolean changes =
                !src.appId().equals(appId)
                        || !Objects.equals(src.attemptId(), attemptId)
                        || (src.sparkVersion() != null && !src.sparkVersion().equals(sparkVersion))
                        || (src.uiUrl() != null && !src.uiUrl().equals(uiUrl));
        if (!changes) return;
        while (!labelChanges.isEmpty() && labelChanges.peekFirst() <= now - MINUTE_MS)
            labelChanges.removeFirst();
        if (labelChanges.size() >= MAX_LABEL_CHANGES) {
            long wait = Math.max(1, (labelChanges.peekFirst() + MINUTE_MS - now + 999) / 1000);
            throw AppLimitException.tooFast(
                    "source: app '"
                            + app
                            + "' changed its app id, attempt id, Spark version or UI URL "
                            + MAX_LABEL_CHANGES
                            + " times in the last minute (the most an app may); nothing of this request was applied, retry after "
                            + wait
                            + " s",
                    wait);
        }
        labelChanges.addLast(now);
    }

    private void refresh(Source src) {
        attemptId = src.attemptId();
        if (src.sparkVersion() != null) sparkVersion = src.sparkVersion();
        if (src.uiUrl() != null) uiUrl = src.uiUrl();
        if (src.host() != null) host = src.host();
    }

    void seen(long now) {
        lastSeen = Math.max(lastSeen, now);
    }

    void progressed(long now) {
        lastProgressAt = Math.max(lastProgressAt, now);
    }

    void started(String name, long start) {
        appName = name;
        startTime = start;
    }

    void ended(long end) {
        finished = true;
        endTime = end;
    }

    void streamingStarted(Long intervalMs, long now) {
        if (intervalMs != null) batchIntervalMs = intervalMs;
        progressed(now);
    }

    /**
     * What a successful REST poll tells of the run: fills in what the listener has not reported,
     * and for an app without a listener follows its app id (a new one is a restart) and counts as
     * its heartbeat.
     */
    void restObserved(RestObservation o, boolean hasListener, long now) {
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
        if (batchIntervalMs == null && o.batchIntervalMs() != null)
            batchIntervalMs = o.batchIntervalMs();
        if (startTime == null) startTime = o.startTime();
        if (!hasListener) seen(now);
    }

    String appId() {
        return appId;
    }

    boolean finished() {
        return finished;
    }

    Long batchIntervalMs() {
        return batchIntervalMs;
    }

    long lastSeen() {
        return lastSeen;
    }

    long lastProgressAt() {
        return lastProgressAt;
    }
}
