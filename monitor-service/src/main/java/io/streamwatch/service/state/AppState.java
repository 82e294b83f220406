package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.model.Source;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the service knows about one app key, across all its runs (app ids), held in parts that
 * each own their data, its persisted form and its slice of the snapshot: {@link RunIdentity},
 * {@link BatchLedger}, {@link ListenerDelivery}, {@link Receivers}, {@link KafkaPosition}, {@link
 * RestView}, {@link Queries}. This class only routes what arrives (listener requests, REST polls
 * and backfills, Kafka lag) to the parts, under the object's lock, and composes their views.
 */
final class AppState {
    private final String app;
    private RunIdentity run;
    private BatchLedger ledger;
    private ListenerDelivery listener;
    private Receivers receivers;
    private final KafkaPosition kafka;
    private final RestView rest;
    private final Queries queries;

    /**
     * Held by whoever changes the persisted parts, from the change until it is stored (or rolled
     * back): one writer at a time, so a roll back puts back exactly what was there before.
     */
    final ReentrantLock writes = new ReentrantLock();

    /** Whether the app is in the store (guarded by {@link #writes}). */
    boolean stored;

    private AppState(
            String app,
            RunIdentity run,
            BatchLedger ledger,
            ListenerDelivery listener,
            Receivers receivers,
            KafkaPosition kafka,
            RestView rest,
            Queries queries) {
        this.app = app;
        this.run = run;
        this.ledger = ledger;
        this.listener = listener;
        this.receivers = receivers;
        this.kafka = kafka;
        this.rest = rest;
        this.queries = queries;
    }

    /**
     * @param batches completed batches held in memory
     * @param microBatches micro-batches held in memory per query
     */
    AppState(String app, int batches, int microBatches, long now) {
        this(
                app,
                new RunIdentity(now),
                new BatchLedger(batches),
                new ListenerDelivery(),
                new Receivers(),
                new KafkaPosition(),
                new RestView(),
                new Queries(microBatches));
    }

    /**
     * The app as it was stored, with its stored batches and its queries' stored micro-batches (by
     * query key), oldest first.
     */
    static AppState restore(
            PersistedApp p,
            List<BatchRecord> batches,
            Map<String, List<MicroBatch>> microBatches,
            int batchWindow,
            int microBatchWindow) {
        AppState s =
                new AppState(
                        p.app(),
                        new RunIdentity(p.run()),
                        new BatchLedger(batchWindow, p.batches(), batches),
                        new ListenerDelivery(p.listener()),
                        new Receivers(p.receivers()),
                        new KafkaPosition(p.kafka()),
                        new RestView(p.rest()),
                        new Queries(p.queries(), microBatches, microBatchWindow));
        s.stored = true;
        return s;
    }

    /**
     * What survives a restart; taken under the lock, so consistent with the batches applied so far.
     */
    synchronized PersistedApp persisted() {
        return new PersistedApp(
                PersistedApp.VERSION,
                app,
                run.persisted(),
                ledger.persisted(),
                listener.persisted(),
                receivers.persisted(),
                kafka.persisted(),
                rest.persisted(),
                queries.persisted());
    }

    /** The persisted parts as they are now, to put back with {@link #rollBack}. */
    record Before(PersistedApp app, BatchLedger ledger) {}

    synchronized Before before() {
        queries.beginChange();
        return new Before(persisted(), ledger.copy());
    }

    synchronized void committed() {
        queries.committed();
    }

    /**
     * Puts back the persisted parts as they were in {@code b}: the change made since could not be
     * stored, so it must not count (a retry of the same request is then applied, not a duplicate).
     * Not-persisted views (REST, Kafka lag samples) stay.
     */
    synchronized void rollBack(Before b) {
        PersistedApp p = b.app();
        run = new RunIdentity(p.run());
        ledger = b.ledger();
        listener = new ListenerDelivery(p.listener());
        receivers = new Receivers(p.receivers());
        kafka.restore(p.kafka());
        queries.rollBack();
    }

    /** Outcome of one request for this app: counts, and the batches and micro-batches it added. */
    record Applied(
            int accepted, int duplicates, List<BatchRecord> newBatches, QueryChanges queries) {
        boolean changed() {
            return accepted > 0 || duplicates > 0;
        }
    }

    /**
     * @param stateWindowMs {@code alerting.stateGrowthWindow}: the span of each query's state
     *     history
     * @throws SequenceJumpException when a seq jumps too far; nothing was applied
     */
    synchronized Applied apply(IngestBatch batch, long now, long stateWindowMs) {
        listener.check(batch, now);
        AppLimits.admit(
                app, run, receivers, kafka, queries, batch, now); // throws before any change
        Source src = batch.source();
        boolean current = adoptRun(src, now);
        if (current) {
            run.seen(now);
            listener.current(batch);
        }
        ListenerDelivery.Delivery d = listener.receive(batch, now);
        List<BatchRecord> added = new ArrayList<>();
        List<QueryBatch> microBatches = new ArrayList<>();
        List<String> forgotten = new ArrayList<>();
        for (Event e : d.fresh()) {
            if (current && Queries.handles(e))
                queries.apply(e, now, stateWindowMs, microBatches, forgotten);
            else applyEvent(src.appId(), current, e, now, added);
        }
        return new Applied(
                d.fresh().size(), d.duplicates(), added, new QueryChanges(microBatches, forgotten));
    }

    /**
     * Makes the sender's run current if it is new. A new app id under a known key is a restart; a
     * late request from an older run still lands its batches in history but changes no identity.
     */
    private boolean adoptRun(Source src, long now) {
        if (run.isCurrent(src)) return true;
        if (run.known(src.appId())) return false;
        run.adopt(src, now);
        kafka.newRun();
        ledger.clearWaiting();
        receivers.clear();
        queries.stopAll(now); // the earlier driver's queries went with it
        return true;
    }

    private void applyEvent(
            String runId, boolean current, Event e, long now, List<BatchRecord> added) {
        if (e instanceof Event.BatchEvent b) {
            applyBatch(runId, current, b, now, added);
        } else if (!current) {
            return; // identity and lifecycle only change for the current run
        } else if (e instanceof Event.AppStart s) {
            run.started(s.appName(), s.startTime());
        } else if (e instanceof Event.AppEnd end) {
            run.ended(end.endTime());
            ledger.clearWaiting();
            receivers.stopAll();
            queries.stopAll(now);
        } else if (e instanceof Event.StreamingStarted s) {
            run.streamingStarted(s.batchIntervalMs(), now);
        } else if (e instanceof Event.ReceiverEvent r) {
            receivers.apply(r, now);
        }
    }

    private void applyBatch(
            String runId, boolean current, Event.BatchEvent e, long now, List<BatchRecord> added) {
        long t = e.batch().batchTime();
        switch (e.phase()) {
            case SUBMITTED -> {
                if (current && !run.finished()) ledger.submitted(runId, t);
            }
            case STARTED -> {
                if (current) ledger.stopWaiting(t);
            }
            case COMPLETED -> {
                if (current) {
                    ledger.stopWaiting(t);
                    // Progress even when the batch was already backfilled from REST.
                    run.progressed(now);
                    kafka.completed(e.batch(), now);
                }
                BatchRecord r = BatchRecord.completed(runId, e.batch());
                if (ledger.record(r)) added.add(r);
            }
        }
    }

    /**
     * Adds batches fetched from the driver's REST API: only those of {@code runId} not already
     * held, counted like any completed batch. @return the batches that were new
     */
    synchronized List<BatchRecord> backfill(String runId, List<BatchRecord> batches, long now) {
        List<BatchRecord> added = new ArrayList<>();
        for (BatchRecord r : batches) {
            if (!r.appId().equals(runId) || !ledger.record(r)) continue;
            added.add(r);
            if (runId.equals(run.appId())) {
                ledger.stopWaiting(r.batchTime());
                if (!listener.reporting()) run.progressed(now);
            }
        }
        return added;
    }

    /**
     * A successful poll of the driver's REST API. For an app without a listener, it is its
     * heartbeat.
     */
    synchronized void restObserved(RestObservation o, long now) {
        rest.observed(o, listener.reporting());
        run.restObserved(o, listener.reporting(), now);
    }

    synchronized void restFailed() {
        rest.failed();
    }

    synchronized void restRefused(String why) {
        rest.refused(why);
    }

    /** Adds a Kafka lag sample (null: the app is no longer in the lag report, its samples go). */
    synchronized void kafkaLag(LagWindow.Sample sample, int window) {
        if (sample == null) kafka.forgetLag();
        else kafka.lag(sample, window);
    }

    synchronized LagWindow lagWindow(long now) {
        return kafka.lagWindow(app, now);
    }

    synchronized KafkaProgress kafkaProgress() {
        return kafka.progress(app, run.appId());
    }

    synchronized String runId() {
        return run.appId();
    }

    synchronized boolean hasListener() {
        return listener.reporting();
    }

    private Long batchIntervalMs() {
        return run.batchIntervalMs() != null ? run.batchIntervalMs() : ledger.inferredIntervalMs();
    }

    /** The rules' view: the newest {@code n} batches of the current run, oldest first. */
    synchronized AppWindow window(int n, long now) {
        List<BatchRecord> newest = ledger.newest(n);
        List<BatchRecord> recent = new ArrayList<>(newest.size());
        for (int i = newest.size() - 1; i >= 0; i--) {
            if (newest.get(i).appId().equals(run.appId())) recent.add(newest.get(i));
        }
        return new AppWindow(
                app,
                run.appId(),
                batchIntervalMs(),
                recent,
                now,
                run.lastSeen(),
                run.finished(),
                run.lastProgressAt(),
                rest.up(),
                receivers.lastErrorAt(),
                receivers.lastError(),
                kafka.lagWindow(app, now));
    }

    /** The rules' view of the app's queries ({@code query}: of that one alone; null: all). */
    synchronized List<QueryWindow> queryWindows(String query, int n, long now) {
        return queries.windows(app, query, n, now, run.lastSeen(), run.finished());
    }

    /** Every query's window but those {@code skip} names. */
    synchronized List<QueryWindow> queryWindows(
            int n, long now, java.util.function.Predicate<String> skip) {
        return queries.windows(app, null, n, now, run.lastSeen(), run.finished(), skip);
    }

    /** Micro-batches of one query held in memory, newest first; null for an unknown query. */
    synchronized List<MicroBatch> microBatches(String query, int limit) {
        return queries.newest(query, limit);
    }

    synchronized boolean knowsQuery(String query) {
        return queries.knows(query);
    }

    synchronized List<QueryKafkaProgress> queryKafkaProgress() {
        return queries.kafkaProgress(app);
    }

    synchronized void queryKafkaLag(
            String query, List<QuerySnapshot.TopicLag> lag, LagWindow.Sample sample, int window) {
        queries.kafkaLag(query, lag, sample, window);
    }

    synchronized List<BatchRecord> batches(int limit) {
        return ledger.newest(limit);
    }

    synchronized long lastSeen() {
        return run.lastSeen();
    }

    synchronized AppSnapshot snapshot(long now, long downAfterMs) {
        RunIdentity.View r = run.view();
        String state =
                r.finished()
                        ? AppSnapshot.FINISHED
                        : now - r.lastSeen() <= downAfterMs
                                ? AppSnapshot.RUNNING
                                : AppSnapshot.SILENT;
        BatchLedger.View b = ledger.view();
        Receivers.View rv = receivers.view();
        RestView.View rs = rest.view();
        boolean restOnly = !listener.reporting();
        List<AppSnapshot.ReceiverView> all = new ArrayList<>(rv.receivers());
        if (restOnly && rs.receivers() != null) all.addAll(rs.receivers());
        all.sort(Comparator.comparingInt(AppSnapshot.ReceiverView::streamId));
        int waiting = restOnly && rs.queuedBatches() != null ? rs.queuedBatches() : b.waiting();
        return new AppSnapshot(
                app,
                state,
                batchIntervalMs(),
                waiting,
                all,
                r,
                b,
                listener.view(),
                rv,
                rs,
                queries.snapshot(state.equals(AppSnapshot.RUNNING)));
    }
}
