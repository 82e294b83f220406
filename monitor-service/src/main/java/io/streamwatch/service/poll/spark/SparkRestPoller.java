package io.streamwatch.service.poll.spark;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.metrics.Meters;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.poll.spark.SparkRestClient.SparkRestException;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.RestObservation;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls each Spark driver's REST API every {@code spark.restPollInterval}: the UI URL each listener
 * reports, plus the static {@code spark.targets} (apps that run without the listener).
 *
 * <p>A tick only hands targets to a pool of {@code maxConcurrentPolls} threads; a target whose
 * previous poll is still running is skipped, so polls of one target never overlap, and every
 * request is bounded by {@code requestTimeout}, so a hung driver holds one thread for a while and
 * delays no one else.
 *
 * <p>Per poll:
 *
 * <ul>
 *   <li>Listener apps: {@code /streaming/statistics} of the app id the listener reported (a 404
 *       there means the StreamingContext stopped, or another app now owns the port: both are "REST
 *       down"; only before the app ever answered and before its streaming started is a 404 not held
 *       against it). Receivers and waiting batches are not fetched: the listener's own are exact
 *       and newer. Completed batches are fetched only to backfill: the first time this poller sees
 *       the app (after a service restart the listener's in-flight batches are lost) and whenever
 *       the listener's sequence gaps ({@code eventsLost}) grew. The backfill waits while the
 *       listener still reports queued events, up to {@value #MAX_DEFERRED_POLLS} polls, so batches
 *       it is about to deliver keep their exact times.
 *   <li>Apps without a listener: {@code /applications} (the running app), statistics, receivers,
 *       queued batches, and every poll the completed batches not yet handed to the registry.
 * </ul>
 *
 * A failed batch's reason is Spark's {@code firstFailureReason}, or, when absent, the first failed
 * operation's {@code failureReason} from {@code /batches/{id}/operations}; cut to {@value
 * #MAX_FAILURE_REASON} characters. A driver going down or coming back is logged once per change,
 * never per poll.
 */
public final class SparkRestPoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SparkRestPoller.class);
    static final int MAX_FAILURE_REASON = 2048;
    static final int MAX_DEFERRED_POLLS = 3;

    private final ServiceConfig.Spark config;
    private final AppRegistry registry;
    private final Clock clock;
    private final SparkRestClient client;
    private final UiNetworkPolicy policy;
    private final ScheduledExecutorService ticker;
    private final ThreadPoolExecutor workers;
    private final Map<String, PollTarget> targets = new ConcurrentHashMap<>();
    private final Counter pollsOk;
    private final Counter pollsFailed;
    private final Timer pollTime;
    private volatile boolean closed;

    public SparkRestPoller(
            ServiceConfig.Spark config, AppRegistry registry, MeterRegistry meters, Clock clock) {
        this.config = config;
        this.registry = registry;
        this.clock = clock;
        this.client = new SparkRestClient(config.requestTimeout());
        this.policy = new UiNetworkPolicy(config.uiNetworks());
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("streamwatch-rest-ticker"));
        int threads = Math.max(1, config.maxConcurrentPolls());
        this.workers =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        60,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        daemon("streamwatch-rest-poll"));
        this.workers.allowCoreThreadTimeOut(true);
        this.pollsOk = polls(meters, "ok");
        this.pollsFailed = polls(meters, "failed");
        this.pollTime = Meters.timer(MetricCatalogue.REST_POLL_SECONDS, meters);
    }

    private static Counter polls(MeterRegistry meters, String result) {
        return Meters.counter(MetricCatalogue.REST_POLLS, meters, result);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public SparkRestPoller start() {
        long period = config.restPollInterval().toMillis();
        ticker.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.MILLISECONDS);
        log.info(
                "polling Spark driver REST APIs every {} ({} static target(s), at most {} at once, {} ms per request)",
                config.restPollInterval(),
                config.targets().size(),
                workers.getMaximumPoolSize(),
                config.requestTimeout().toMillis());
        return this;
    }

    /**
     * Hands every target whose previous poll has ended to the pool. Never throws (it would end the
     * schedule).
     */
    private void tick() {
        try {
            Map<String, Wanted> wanted = wantedTargets();
            targets.keySet().retainAll(wanted.keySet());
            for (Map.Entry<String, Wanted> e : wanted.entrySet()) {
                PollTarget t = targets.computeIfAbsent(e.getKey(), k -> new PollTarget(k, client));
                if (!t.inFlight.compareAndSet(false, true)) continue;
                Wanted w = e.getValue();
                try {
                    workers.execute(
                            () -> {
                                try {
                                    if (allowed(t, w)) poll(t, w.ui());
                                } finally {
                                    t.inFlight.set(false);
                                }
                            });
                } catch (RejectedExecutionException closing) {
                    t.inFlight.set(false);
                }
            }
        } catch (RuntimeException e) {
            log.error("Spark REST poll tick failed; trying again next tick", e);
        }
    }

    /**
     * App key to UI URL: what listeners of unfinished apps report, overridden by {@code
     * spark.targets}.
     */
    private Map<String, Wanted> wantedTargets() {
        Map<String, Wanted> out = new TreeMap<>();
        for (AppSnapshot a : registry.snapshots()) {
            if (a.hasListener()
                    && a.run().uiUrl() != null
                    && !AppSnapshot.FINISHED.equals(a.state())) {
                out.put(a.app(), new Wanted(a.run().uiUrl().replaceAll("/+$", ""), false));
            }
        }
        for (ServiceConfig.SparkTarget t : config.targets())
            out.put(t.app(), new Wanted(t.url(), true));
        return out;
    }

    /** A UI to poll; {@code trusted} when the operator configured it in {@code spark.targets}. */
    private record Wanted(String ui, boolean trusted) {}

    /**
     * Checks the UI against {@link UiNetworkPolicy} and pins the target's client to the address
     * checked. A refused UI is never contacted; the app shows why, and the log says it once.
     */
    private boolean allowed(PollTarget t, Wanted w) {
        UiNetworkPolicy.Decision d;
        try {
            d = policy.decide(w.ui(), w.trusted());
        } catch (UnknownHostException e) {
            registry.restFailed(t.app);
            t.markDown(clock.millis(), w.ui(), "unknown host " + e.getMessage(), null);
            pollsFailed.increment();
            return false;
        }
        t.dns.pin(d);
        if (d.refused() == null) {
            t.refused = null;
            return true;
        }
        t.up = null;
        registry.restRefused(t.app, d.refused());
        if (!d.refused().equals(t.refused))
            log.warn(
                    "Spark REST API of app '{}' at {} is not polled: {}",
                    t.app,
                    w.ui(),
                    d.refused());
        t.refused = d.refused();
        return false;
    }

    private void poll(PollTarget t, String ui) {
        long started = System.nanoTime();
        AppSnapshot known = registry.snapshot(t.app).orElse(null);
        boolean listener = known != null && known.hasListener();
        try {
            boolean backfill = t.backfillDue(known, listener);
            Fetched f = fetch(t, ui, known, listener, backfill);
            if (registry.restObserved(t.app, f.observation())) {
                if (f.completed() != null)
                    handOver(t, f.observation().appId(), f.completed(), listener);
            } else if (!t.rejectedLogged) {
                t.rejectedLogged = true;
                log.warn(
                        "Spark REST target '{}' at {} answers, but the service already tracks ingest.maxApps apps; "
                                + "it is not added. Raise ingest.maxApps or remove the target",
                        t.app,
                        ui);
            }
            t.markUp(ui, clock.millis());
            pollsOk.increment();
        } catch (SparkRestException e) {
            if (closed) return; // calls cancelled by close() say nothing about the driver
            pollsFailed.increment();
            if (t.streamingNotStartedYet(known, listener, e.status())) return;
            registry.restFailed(t.app);
            t.markDown(clock.millis(), ui, e.getMessage(), null);
        } catch (RuntimeException e) {
            if (closed) return;
            registry.restFailed(t.app);
            t.markDown(clock.millis(), ui, "unexpected " + e, e);
            pollsFailed.increment();
        } finally {
            pollTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Everything one poll read, fetched before any state changes so a poll lands whole or not at
     * all.
     */
    private record Fetched(RestObservation observation, Completed completed) {}

    /**
     * Completed batches not handed to the registry before, and the ids of all Spark still retains.
     */
    private record Completed(List<BatchRecord> fresh, Set<Long> retained) {}

    private Fetched fetch(
            PollTarget t, String ui, AppSnapshot known, boolean listener, boolean backfill)
            throws SparkRestException {
        String appId = listener ? known.run().appId() : null;
        String sparkVersion = null;
        Long startTime = null;
        if (appId == null) {
            SparkJson.Application app = running(t.client.applications(ui));
            appId = app.id();
            sparkVersion = app.sparkVersion();
            startTime = app.startTime();
        }
        SparkJson.Statistics stats = t.client.statistics(ui, appId);
        Integer queued = null;
        List<AppSnapshot.ReceiverView> receivers = null;
        if (!listener) {
            receivers = t.client.receivers(ui, appId);
            queued = t.client.batches(ui, appId, "QUEUED").size();
        }
        Completed completed = backfill ? completed(t, ui, appId) : null;
        return new Fetched(
                new RestObservation(
                        appId,
                        sparkVersion,
                        ui,
                        stats.batchDurationMs(),
                        startTime != null ? startTime : stats.startTime(),
                        queued,
                        receivers),
                completed);
    }

    private static SparkJson.Application running(List<SparkJson.Application> apps)
            throws SparkRestException {
        if (apps.isEmpty()) throw new SparkRestException("the driver lists no application");
        return apps.stream().filter(SparkJson.Application::running).findFirst().orElse(apps.get(0));
    }

    private Completed completed(PollTarget t, String ui, String appId) throws SparkRestException {
        if (!appId.equals(t.handedAppId)) {
            t.handed.clear();
            t.handedAppId = appId;
        }
        List<BatchRecord> fresh = new ArrayList<>();
        Set<Long> retained = new HashSet<>();
        for (SparkJson.Batch b : t.client.batches(ui, appId, "COMPLETED")) {
            retained.add(b.batchId());
            if (t.handed.contains(b.batchId())) continue;
            String reason = b.firstFailureReason();
            if (b.failed() && reason == null)
                reason = t.client.failureReason(ui, appId, b.batchId());
            fresh.add(SparkJson.record(appId, b, reason, MAX_FAILURE_REASON));
        }
        return new Completed(fresh, retained);
    }

    /**
     * Gives the registry the batches it may lack (it keeps each batch once). For apps without a
     * listener the ids handed over are remembered, so each poll converts only new batches; a
     * listener app's backfills are rare, and remembering up to 1000 ids for each of thousands of
     * apps is not worth it.
     */
    private void handOver(PollTarget t, String appId, Completed c, boolean listener) {
        int added = c.fresh().isEmpty() ? 0 : registry.backfill(t.app, appId, c.fresh());
        if (listener) {
            t.handed.clear();
            t.handedAppId = null;
        } else {
            t.handed.retainAll(c.retained());
            for (BatchRecord r : c.fresh()) t.handed.add(r.batchTime());
        }
        if (t.backfillPending && added > 0) {
            log.info(
                    "backfilled {} batch(es) of app '{}' ({}) from the driver's REST API",
                    added,
                    t.app,
                    appId);
        }
        t.backfillPending = false;
        t.deferredPolls = 0;
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        workers.shutdownNow();
        client.close();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
