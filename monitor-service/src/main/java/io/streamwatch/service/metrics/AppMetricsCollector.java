package io.streamwatch.service.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.QuerySnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the per-app and per-query metrics of {@link MetricCatalogue#all()} from state snapshots
 * at scrape time. Series are a view of state, not meters of their own: an app that has been silent
 * or finished for longer than {@code metrics.appRetention} simply stops being rendered, so its
 * series disappear, and so do those of a query that stopped longer ago than that.
 */
public final class AppMetricsCollector implements MultiCollector {
    private static final Logger log = LoggerFactory.getLogger(AppMetricsCollector.class);

    /**
     * The per-app series (the first block of {@link MetricCatalogue}) and the per-query ones (all
     * of {@link QueryMetricCatalogue} but the Kafka lag, which the Kafka lag poller renders).
     */
    private static final List<String> NAMES =
            Stream.concat(
                            EnumSet.range(
                                    MetricCatalogue.APP_INFO, MetricCatalogue.LISTENER_DUPLICATES)
                                    .stream(),
                            EnumSet.range(
                                    QueryMetricCatalogue.QUERY_INFO,
                                    QueryMetricCatalogue.QUERY_LATE_ROWS_DROPPED)
                                    .stream())
                    .map(Series::baseName)
                    .toList();

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

    @Override
    public MetricSnapshots collect() {
        long now = clock.millis();
        Points.Scrape out = new Points.Scrape();
        for (AppSnapshot a : snapshots.get()) {
            if (!a.up() && now - a.run().lastSeen() > retentionMs) continue;
            Points points = new Points();
            if (!rendered(a.app(), "app '" + a.app() + "'", () -> render(a, points))) continue;
            out.add(points);
            for (QuerySnapshot q : a.queries()) {
                if (gone(q, now)) continue;
                Points query = new Points();
                String what = "query '" + q.query() + "' of app '" + a.app() + "'";
                if (rendered(
                        a.app() + "\n" + q.query(),
                        what,
                        () -> QueryMetrics.render(a.app(), q, query))) {
                    out.add(query);
                }
            }
        }
        return out.build();
    }

    /** A query that stopped longer than the retention ago is no longer rendered. */
    private boolean gone(QuerySnapshot q, long now) {
        return !q.up() && q.lastProgress() != null && now - q.lastProgress() > retentionMs;
    }

    /**
     * Runs one subject's rendering; false (counted, and logged once per subject) when its data
     * cannot be rendered: one app or query must not take /metrics down for every other.
     */
    private boolean rendered(String key, String what, Runnable render) {
        try {
            render.run();
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

    private static void render(AppSnapshot a, Points p) {
        Labels app = Labels.of("app", a.app());
        BatchRecord last = a.lastBatch();
        p.info(
                MetricCatalogue.APP_INFO,
                Labels.of(
                        "app", a.app(),
                        "app_id", nz(a.run().appId()),
                        "attempt_id", nz(a.run().attemptId()),
                        "spark_version", nz(a.run().sparkVersion()),
                        "ui_url", nz(a.run().uiUrl())));
        p.gauge(MetricCatalogue.APP_UP, app, a.up() ? 1 : 0);
        p.counter(MetricCatalogue.APP_RESTARTS, app, a.run().restarts());
        if (a.batchIntervalMs() != null) {
            p.gauge(MetricCatalogue.BATCH_INTERVAL, app, a.batchIntervalMs() / 1000.0);
        }
        if (last != null) {
            p.gauge(MetricCatalogue.LAST_BATCH_TIME, app, last.batchTime() / 1000.0);
            p.gauge(MetricCatalogue.LAST_SCHEDULING_DELAY, app, last.schedulingDelayMs() / 1000.0);
            p.gauge(MetricCatalogue.LAST_PROCESSING_TIME, app, last.processingTimeMs() / 1000.0);
            p.gauge(MetricCatalogue.LAST_TOTAL_DELAY, app, last.totalDelayMs() / 1000.0);
            p.gauge(MetricCatalogue.LAST_RECORDS, app, last.records());
        }
        if (a.inputRate() != null) p.gauge(MetricCatalogue.INPUT_RATE, app, a.inputRate());
        p.histogram(MetricCatalogue.PROCESSING_TIME, app, a.batches().processingTime());
        p.histogram(MetricCatalogue.TOTAL_DELAY, app, a.batches().totalDelay());
        p.counter(MetricCatalogue.BATCHES_COMPLETED, app, a.batches().completed());
        p.counter(MetricCatalogue.BATCHES_FAILED, app, a.batches().failed());
        p.counter(MetricCatalogue.RECORDS, app, a.batches().records());
        p.gauge(MetricCatalogue.WAITING_BATCHES, app, a.waitingBatches());
        p.gauge(MetricCatalogue.RECEIVERS_ACTIVE, app, a.receiversActive());
        p.counter(MetricCatalogue.RECEIVER_ERRORS, app, a.receiving().errors());
        if (a.rest().up() != null) p.gauge(MetricCatalogue.REST_UP, app, a.rest().up() ? 1 : 0);
        p.gauge(MetricCatalogue.APP_FINISHED, app, AppSnapshot.FINISHED.equals(a.state()) ? 1 : 0);
        p.gauge(MetricCatalogue.APP_LAST_SEEN, app, a.run().lastSeen() / 1000.0);
        p.counter(MetricCatalogue.LISTENER_DROPPED, app, a.listener().eventsDropped());
        p.counter(MetricCatalogue.LISTENER_LOST, app, a.listener().eventsLost());
        p.counter(MetricCatalogue.LISTENER_DUPLICATES, app, a.listener().duplicateEvents());
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
