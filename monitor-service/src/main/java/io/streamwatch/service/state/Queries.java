package io.streamwatch.service.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamwatch.service.model.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The app's Structured Streaming queries by query key (the query's name when it has one, else its
 * id), across all runs of the app. Guarded by its {@link AppState}.
 *
 * <p>A change is undone by {@link #rollBack}: from {@link #beginChange} on, each query is copied
 * before its first change, so an undo costs only what the change touched.
 */
public final class Queries {
    /** The most queries one app may run at once. */
    static final int MAX_QUERIES = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Query> byKey = new TreeMap<>();
    private final Map<String, Lag> lags = new HashMap<>();

    /** Each query as it was before the change in progress; null for one the change added. */
    private Map<String, Query> undo;

    /** Kafka lag the poller measured for one query (not persisted: the next poll measures it). */
    private record Lag(List<QuerySnapshot.TopicLag> topics, ArrayDeque<LagWindow.Sample> samples) {}

    /** What survives a restart. */
    public record Persisted(List<Query.Persisted> queries) {}

    /** Micro-batches each query holds in memory. */
    private final int window;

    Queries(int window) {
        this.window = window;
    }

    /**
     * @param windows stored micro-batches by query key, oldest first
     */
    Queries(Persisted p, Map<String, List<MicroBatch>> windows, int window) {
        this(window);
        if (p == null || p.queries() == null) return;
        for (Query.Persisted q : p.queries()) {
            byKey.put(
                    q.query(),
                    Query.restore(q, windows.getOrDefault(q.query(), List.of()), window));
        }
    }

    Persisted persisted() {
        List<Query.Persisted> out = new ArrayList<>(byKey.size());
        for (Query q : byKey.values()) out.add(q.persisted());
        return new Persisted(out);
    }

    static boolean handles(Event e) {
        return e instanceof Event.QueryStarted
                || e instanceof Event.QueryProgress
                || e instanceof Event.QueryIdle
                || e instanceof Event.QueryTerminated;
    }

    void beginChange() {
        undo = new HashMap<>();
    }

    /** The change is stored: nothing to undo. */
    void committed() {
        undo = null;
    }

    /** Puts every query the change touched back as it was. */
    void rollBack() {
        if (undo == null) return;
        undo.forEach(
                (key, before) -> {
                    if (before == null) byKey.remove(key);
                    else byKey.put(key, before);
                });
        undo = null;
    }

    private void touch(String key) {
        if (undo != null && !undo.containsKey(key)) {
            Query q = byKey.get(key);
            undo.put(key, q == null ? null : q.copy());
        }
    }

    /** The key of a query event: its name, else its id (or the named query running that id). */
    private String key(String queryId, String name) {
        if (name != null && !name.isBlank()) return name;
        if (byKey.containsKey(queryId)) return queryId;
        for (Query q : byKey.values()) {
            if (queryId.equals(q.queryId)) return q.key;
        }
        return queryId;
    }

    private String key(Event e) {
        if (e instanceof Event.QueryStarted s) return key(s.queryId(), s.name());
        if (e instanceof Event.QueryProgress p)
            return key(p.progress().queryId(), p.progress().name());
        if (e instanceof Event.QueryIdle i) return key(i.queryId(), i.name());
        Event.QueryTerminated t = (Event.QueryTerminated) e;
        return key(t.queryId(), t.name());
    }

    /**
     * Applies one query event of the app's current run, adding what the store must follow to {@code
     * changes}.
     */
    void apply(
            Event e, long now, long stateWindowMs, List<QueryBatch> added, List<String> forgotten) {
        String key = key(e);
        touch(key);
        Query q = byKey.get(key);
        if (q == null) {
            makeRoom(forgotten);
            q = new Query(key, window);
            byKey.put(key, q);
        }
        if (e instanceof Event.QueryStarted s) {
            if (!q.run(s.queryId(), s.runId(), s.name(), now)) return;
            q.trigger(s.trigger());
            q.state = QuerySnapshot.ACTIVE;
        } else if (e instanceof Event.QueryProgress qp) {
            Event.Progress p = qp.progress();
            if (!q.run(p.queryId(), p.runId(), p.name(), now)) return;
            q.trigger(qp.trigger());
            if (p.durationMs().containsKey("addBatch")) {
                q.progressed(QuerySnapshot.ACTIVE, now);
                MicroBatch b = q.record(p, now, stateWindowMs);
                if (b != null) added.add(new QueryBatch(key, b));
            } else {
                q.progressed(QuerySnapshot.IDLE, now); // Spark 3.4: a trigger without new data
            }
        } else if (e instanceof Event.QueryIdle i) {
            if (q.run(i.queryId(), i.runId(), i.name(), now)) q.progressed(QuerySnapshot.IDLE, now);
        } else {
            Event.QueryTerminated t = (Event.QueryTerminated) e;
            if (q.run(t.queryId(), t.runId(), t.name(), now)) q.terminated(t);
        }
    }

    /** Drops the query that ended longest ago, when the app holds {@value #MAX_QUERIES}. */
    private void makeRoom(List<String> forgotten) {
        if (byKey.size() < MAX_QUERIES) return;
        Query oldest = null;
        for (Query q : byKey.values()) {
            if (!q.live() && (oldest == null || q.lastChange < oldest.lastChange)) oldest = q;
        }
        if (oldest == null) return; // admit() refused requests that would pass the limit
        touch(oldest.key);
        byKey.remove(oldest.key);
        lags.remove(oldest.key);
        forgotten.add(oldest.key);
    }

    /**
     * Refuses a request whose query events would have the app run more than {@value #MAX_QUERIES}
     * queries at once (queries that ended make room). @param newRun the request starts a new run of
     * the app: its queries have all ended
     */
    void admit(String app, List<Event> events, boolean newRun) {
        Set<String> live = new HashSet<>();
        if (!newRun) for (Query q : byKey.values()) if (q.live()) live.add(q.key);
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (!handles(e)) continue;
            String key = key(e);
            if (!live.add(key) || live.size() <= MAX_QUERIES) continue;
            String field =
                    (e instanceof Event.QueryProgress ? ".progress" : "")
                            + (key.equals(nameOf(e)) ? ".name" : ".queryId");
            throw AppLimitException.perApp(
                    "events["
                            + i
                            + "]"
                            + field
                            + ": app '"
                            + app
                            + "' already runs "
                            + MAX_QUERIES
                            + " queries (the most an app may run at once); query '"
                            + key
                            + "' is one too many, nothing of this request was applied");
        }
    }

    private static String nameOf(Event e) {
        if (e instanceof Event.QueryStarted s) return s.name();
        if (e instanceof Event.QueryProgress p) return p.progress().name();
        if (e instanceof Event.QueryIdle i) return i.name();
        return ((Event.QueryTerminated) e).name();
    }

    /** The app ended or a new run of it started: none of its queries runs any more. */
    void stopAll(long now) {
        for (Query q : byKey.values()) {
            if (q.live()) {
                touch(q.key);
                byKey.get(q.key).stop(now);
            }
        }
    }

    List<QuerySnapshot> snapshot(boolean appRunning) {
        List<QuerySnapshot> out = new ArrayList<>(byKey.size());
        for (Query q : byKey.values()) {
            Lag lag = lags.get(q.key);
            out.add(q.snapshot(appRunning, lag == null ? List.of() : lag.topics()));
        }
        return out;
    }

    /**
     * The rules' view of each query ({@code only}: of that one alone, if known), with the newest
     * {@code n} micro-batches of its current run.
     */
    List<QueryWindow> windows(
            String app, String only, int n, long now, long appLastSeen, boolean appFinished) {
        return windows(app, only, n, now, appLastSeen, appFinished, key -> false);
    }

    /** As above, leaving out (without building their windows) the queries {@code skip} names. */
    List<QueryWindow> windows(
            String app,
            String only,
            int n,
            long now,
            long appLastSeen,
            boolean appFinished,
            java.util.function.Predicate<String> skip) {
        List<QueryWindow> out = new ArrayList<>();
        for (Query q :
                only == null
                        ? byKey.values()
                        : java.util.Collections.singletonList(byKey.get(only))) {
            if (q == null || skip.test(q.key)) continue;
            ArrayDeque<MicroBatch> recent = new ArrayDeque<>();
            for (Iterator<MicroBatch> it = q.window.descendingIterator();
                    it.hasNext() && recent.size() < n; ) {
                MicroBatch b = it.next();
                if (!b.runId().equals(q.runId)) break;
                recent.addFirst(b);
            }
            Lag lag = lags.get(q.key);
            out.add(
                    new QueryWindow(
                            app,
                            q.key,
                            q.runId,
                            q.state,
                            q.intervalMs(),
                            List.copyOf(recent),
                            now,
                            q.lastProgress,
                            q.lastChange,
                            appLastSeen,
                            appFinished,
                            q.exception,
                            q.errorClass,
                            lag == null ? List.of() : List.copyOf(lag.samples()),
                            q.states.samples()));
        }
        return out;
    }

    boolean knows(String query) {
        return byKey.containsKey(query);
    }

    /** The query's newest micro-batches held in memory, newest first; null for an unknown query. */
    List<MicroBatch> newest(String query, int limit) {
        Query q = byKey.get(query);
        if (q == null) return null;
        List<MicroBatch> out = new ArrayList<>(Math.min(limit, q.window.size()));
        for (Iterator<MicroBatch> it = q.window.descendingIterator();
                it.hasNext() && out.size() < limit; ) out.add(it.next());
        return out;
    }

    /**
     * The Kafka offsets of each query's newest micro-batch of its current run, for queries with a
     * Kafka source.
     */
    List<QueryKafkaProgress> kafkaProgress(String app) {
        List<QueryKafkaProgress> out = new ArrayList<>();
        for (Query q : byKey.values()) {
            MicroBatch last = q.window.peekLast();
            if (last == null || !last.runId().equals(q.runId)) continue;
            Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
            for (MicroBatch.Source s : last.sources()) {
                if (s.description() != null && s.description().startsWith("Kafka"))
                    kafkaOffsets(s.endOffset(), offsets);
            }
            if (!offsets.isEmpty())
                out.add(
                        new QueryKafkaProgress(
                                app, q.key, q.runId, offsets, last.timestamp(), q.lastBatchAt));
        }
        return out;
    }

    /**
     * Adds {@code {"topic":{"partition":offset}}} to {@code into}; anything else adds nothing. Read
     * token by token (the rules read every micro-batch of a window at each evaluation).
     */
    static void kafkaOffsets(String json, Map<String, Map<Integer, Long>> into) {
        if (json == null) return;
        Map<String, Map<Integer, Long>> found = new TreeMap<>();
        try (JsonParser p = JSON.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String topic = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) return;
                Map<Integer, Long> parts = new TreeMap<>();
                for (JsonToken u = p.nextToken(); u != JsonToken.END_OBJECT; u = p.nextToken()) {
                    int partition = partition(p.currentName());
                    if (partition < 0 || p.nextToken() != JsonToken.VALUE_NUMBER_INT) return;
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) return;
                    parts.put(partition, p.getLongValue());
                }
                found.put(topic, parts);
            }
            if (p.nextToken() != null) return;
        } catch (java.io.IOException e) {
            return;
        }
        found.forEach((t, p) -> into.computeIfAbsent(t, k -> new TreeMap<>()).putAll(p));
    }

    /** A partition number of 1 to 7 digits, or -1. */
    private static int partition(String name) {
        if (name == null || name.isEmpty() || name.length() > 7) return -1;
        int n = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /**
     * What the Kafka poller measured for {@code query}: lag per topic, and one summed sample kept
     * among the newest {@code window}. Null/empty both: the query is no longer polled.
     */
    void kafkaLag(
            String query, List<QuerySnapshot.TopicLag> lag, LagWindow.Sample sample, int window) {
        boolean none = (lag == null || lag.isEmpty()) && sample == null;
        if (none || !byKey.containsKey(query)) {
            lags.remove(query);
            return;
        }
        Lag l = lags.computeIfAbsent(query, k -> new Lag(new ArrayList<>(), new ArrayDeque<>()));
        l.topics().clear();
        if (lag != null) l.topics().addAll(lag);
        if (sample != null) {
            l.samples().addLast(sample);
            while (l.samples().size() > Math.max(1, window)) l.samples().removeFirst();
        }
    }
}
