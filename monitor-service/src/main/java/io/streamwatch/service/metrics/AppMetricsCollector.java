package io.streamwatch.service.metrics;

import io.streamwatch.service.metrics.Exposition.Family;
import io.streamwatch.service.metrics.Exposition.Subject;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.QuerySnapshot;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the per-app and per-query metrics of {@link MetricCatalogue#all()} from state snapshots at
 * scrape time, straight to the response (see {@link Exposition}). Series are a view of state, not
 * meters of their own: an app that has been silent or finished for longer than {@code
 * metrics.appRetention} simply stops being rendered, so its series disappear, and so do those of a
 * query that stopped longer ago than that. An app or query whose data cannot be rendered is left
 * out whole (counted, logged once), never half rendered.
 */
public final class AppMetricsCollector {
    private static final Logger log = LoggerFactory.getLogger(AppMetricsCollector.class);
    private static final List<String> APP_LABELS = List.of("app");

    /** The per-app series, the first block of {@link MetricCatalogue}. */
    static final List<Family<AppSnapshot>> APP_FAMILIES =
            List.of(
                    app(
                            MetricCatalogue.APP_INFO,
                            (a, s) ->
                                    s.info(
                                            nz(a.run().appId()),
                                            nz(a.run().attemptId()),
                                            nz(a.run().sparkVersion()),
                                            nz(a.run().uiUrl()))),
                    app(MetricCatalogue.APP_UP, (a, s) -> s.value(a.up() ? 1 : 0)),
                    app(MetricCatalogue.APP_RESTARTS, (a, s) -> s.value(a.run().restarts())),
                    app(
                            MetricCatalogue.BATCH_INTERVAL,
                            (a, s) -> {
                                if (a.batchIntervalMs() != null) {
                                    s.value(a.batchIntervalMs() / 1000.0);
                                }
                            }),
                    last(MetricCatalogue.LAST_BATCH_TIME, b -> b.batchTime() / 1000.0),
                    last(
                            MetricCatalogue.LAST_SCHEDULING_DELAY,
                            b -> b.schedulingDelayMs() / 1000.0),
                    last(MetricCatalogue.LAST_PROCESSING_TIME, b -> b.processingTimeMs() / 1000.0),
                    last(MetricCatalogue.LAST_TOTAL_DELAY, b -> b.totalDelayMs() / 1000.0),
                    last(MetricCatalogue.LAST_RECORDS, BatchRecord::records),
                    app(
                            MetricCatalogue.INPUT_RATE,
                            (a, s) -> {
                                if (a.inputRate() != null) s.value(a.inputRate());
                            }),
                    app(
                            MetricCatalogue.PROCESSING_TIME,
                            (a, s) -> s.histogram(a.batches().processingTime())),
                    app(
                            MetricCatalogue.TOTAL_DELAY,
                            (a, s) -> s.histogram(a.batches().totalDelay())),
                    app(
                            MetricCatalogue.BATCHES_COMPLETED,
                            (a, s) -> s.value(a.batches().completed())),
                    app(MetricCatalogue.BATCHES_FAILED, (a, s) -> s.value(a.batches().failed())),
                    app(MetricCatalogue.RECORDS, (a, s) -> s.value(a.batches().records())),
                    app(MetricCatalogue.WAITING_BATCHES, (a, s) -> s.value(a.waitingBatches())),
                    app(MetricCatalogue.RECEIVERS_ACTIVE, (a, s) -> s.value(a.receiversActive())),
                    app(MetricCatalogue.RECEIVER_ERRORS, (a, s) -> s.value(a.receiving().errors())),
                    app(
                            MetricCatalogue.REST_UP,
                            (a, s) -> {
                                if (a.rest().up() != null) s.value(a.rest().up() ? 1 : 0);
                            }),
                    app(
                            MetricCatalogue.APP_FINISHED,
                            (a, s) -> s.value(AppSnapshot.FINISHED.equals(a.state()) ? 1 : 0)),
                    app(
                            MetricCatalogue.APP_LAST_SEEN,
                            (a, s) -> s.value(a.run().lastSeen() / 1000.0)),
                    app(
                            MetricCatalogue.LISTENER_DROPPED,
                            (a, s) -> s.value(a.listener().eventsDropped())),
                    app(
                            MetricCatalogue.LISTENER_LOST,
                            (a, s) -> s.value(a.listener().eventsLost())),
                    app(
                            MetricCatalogue.LISTENER_DUPLICATES,
                            (a, s) -> s.value(a.listener().duplicateEvents())));

    private final Supplier<? extends Collection<AppSnapshot>> snapshots;
    private final Clock clock;
    private final long retentionMs;
    private final AtomicLong renderErrors = new AtomicLong();
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();

    public AppMetricsCollector(AppRegistry registry, Clock clock, Duration retention) {
        this(registry::snapshots, clock, retention);
    }

    /** Renders whatever {@code snapshots} returns at each scrape. */
    AppMetricsCollector(
            Supplier<? extends Collection<AppSnapshot>> snapshots,
            Clock clock,
            Duration retention) {
        this.snapshots = snapshots;
        this.clock = clock;
        this.retentionMs = retention.toMillis();
    }

    /** Writes every app's and query's series (OpenMetrics headers when {@code openMetrics}). */
    void write(TextWriter out, boolean openMetrics) throws IOException {
        long now = clock.millis();
        List<Subject<AppSnapshot>> apps = new ArrayList<>();
        List<Subject<QuerySnapshot>> queries = new ArrayList<>();
        for (AppSnapshot a : snapshots.get()) {
            if (!a.up() && now - a.run().lastSeen() > retentionMs) continue;
            if (!rendered(a.app(), "app '" + a.app() + "'", a, APP_FAMILIES)) continue;
            apps.add(new Subject<>(a, Exposition.labels(APP_LABELS, a.app())));
            for (QuerySnapshot q : a.queries()) {
                if (gone(q, now)) continue;
                String what = "query '" + q.query() + "' of app '" + a.app() + "'";
                if (rendered(a.app() + "\n" + q.query(), what, q, QueryMetrics.FAMILIES)) {
                    queries.add(
                            new Subject<>(
                                    q, Exposition.labels(QueryMetrics.LABELS, a.app(), q.query())));
                }
            }
        }
        Exposition.write(out, openMetrics, APP_FAMILIES, apps, APP_LABELS.size());
        Exposition.write(
                out, openMetrics, QueryMetrics.FAMILIES, queries, QueryMetrics.LABELS.size());
    }

    /** A query that stopped longer than the retention ago is no longer rendered. */
    private boolean gone(QuerySnapshot q, long now) {
        return !q.up() && q.lastProgress() != null && now - q.lastProgress() > retentionMs;
    }

    /**
     * Checks one subject's data; false (counted, and logged once per subject) when it cannot be
     * rendered: one app or query must not take /metrics down for every other.
     */
    private <S> boolean rendered(String key, String what, S subject, List<Family<S>> families) {
        try {
            Exposition.check(subject, families);
            return true;
        } catch (RuntimeException e) {
            renderErrors.incrementAndGet();
            if (loggedFailures.size() < 1000 && loggedFailures.add(key)) {
                log.warn(
                        "{} left out of /metrics: its data cannot be rendered ({})",
                        what,
                        e.toString());
            }
            return false;
        }
    }

    /**
     * Apps and queries left out of a scrape because their data could not be rendered, since start.
     */
    public double renderErrors() {
        return renderErrors.get();
    }

    private static Family<AppSnapshot> app(
            Series m, BiConsumer<AppSnapshot, Exposition.Sample> point) {
        return new Family<>(m, point);
    }

    private static Family<AppSnapshot> last(Series m, ToDoubleFunction<BatchRecord> value) {
        return app(
                m,
                (a, s) -> {
                    BatchRecord b = a.lastBatch();
                    if (b != null) s.value(value.applyAsDouble(b));
                });
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
