package io.streamwatch.service;

import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.http.BearerAuth;
import io.streamwatch.service.http.HttpServer;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.ingest.IngestHandler;
import io.streamwatch.service.ingest.RateLimiter;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.notify.NotificationDispatcher;
import io.streamwatch.service.poll.kafka.KafkaLagPoller;
import io.streamwatch.service.poll.spark.SparkRestPoller;
import io.streamwatch.service.rules.KafkaLagGrowing;
import io.streamwatch.service.rules.AlertEngine;
import io.streamwatch.service.rules.AppDown;
import io.streamwatch.service.rules.AppStalled;
import io.streamwatch.service.rules.BatchFailed;
import io.streamwatch.service.rules.BatchTooSlow;
import io.streamwatch.service.rules.DelayGrowing;
import io.streamwatch.service.rules.ReceiverError;
import io.streamwatch.service.rules.Rule;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.store.StatePersistence;
import io.streamwatch.service.store.Store;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the stages of the data's path: ingest → state → metrics / API. Construction validates and
 * wires (no I/O); {@link #start()} starts them in order; {@link #close()} stops them in reverse.
 */
public final class StreamwatchService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamwatchService.class);

    private final ServiceConfig config;
    private final AppRegistry registry;
    private final ServiceMetrics metrics;
    private final BearerAuth ingestAuth;
    private final HttpServer http;
    private final NotificationDispatcher notifications;
    private final AlertEngine alerts;
    private final SparkRestPoller sparkPoller;
    private final KafkaLagPoller kafkaPoller;
    private final ScheduledExecutorService housekeeping;
    private final AtomicBoolean ready = new AtomicBoolean();
    private volatile Store store;

    public StreamwatchService(ServiceConfig config, Clock clock) {
        config = withConcretePort(config);
        this.config = config;
        this.registry = new AppRegistry(clock, config.storage().historyBatches(), config.ingest().maxApps(),
                config.alerting().appDownAfter(), config.storage().appRetention());
        this.metrics = new ServiceMetrics(registry, new AppMetricsCollector(registry, clock, config.metrics().appRetention()));
        this.ingestAuth = new BearerAuth(List.of(config.ingest().tokens()), config.ingest().allowUnauthenticated(),
                "ingest", "ingest.tokens, ingest.tokenFile or STREAMWATCH_INGEST_TOKENS");
        BearerAuth readAuth = new BearerAuth(List.of(config.api().tokens(), config.ingest().tokens()),
                config.api().allowUnauthenticated(), "the read API", "api.tokens, api.tokenFile or STREAMWATCH_API_TOKENS");
        String externalUrl = externalUrl(config.server());
        var alerting = config.alerting();
        this.notifications = new NotificationDispatcher(alerting.receivers(), alerting.resendInterval(), externalUrl,
                metrics.registry(), clock);
        this.sparkPoller = new SparkRestPoller(config.spark(), registry, metrics.registry(), clock);
        this.kafkaPoller = config.kafka().bootstrapServers() == null ? null
                : new KafkaLagPoller(config.kafka(), alerting.delayWindow(), registry, metrics, clock);
        this.alerts = new AlertEngine(rules(alerting), registry, notifications, clock, alerting.resendInterval(), externalUrl,
                metrics.registry(), kafkaPoller == null ? List::of : kafkaPoller::lagWindows,
                kafkaPoller == null ? null : new KafkaLagGrowing(alerting.delayWindow(), alerting.kafkaLagFloor().toMillis() / 1000.0));
        BearerAuth metricsAuth = new BearerAuth(List.of(config.api().tokens(), config.ingest().tokens()),
                !config.metrics().requireToken(), "/metrics", "api.tokens or ingest.tokens; or set metrics.requireToken: false");
        RateLimiter rateLimiter = new RateLimiter(clock, config.ingest().maxRequestsPerSecondPerApp(), config.ingest().maxApps(),
                app -> registry.run(app).isPresent());
        IngestHandler ingest = new IngestHandler(new EventParser(clock, config.ingest().maxEventsPerRequest()), registry,
                metrics, config.ingest().maxBodyBytes(), rateLimiter);
        registry.subscribe(alerts::evaluate);
        this.http = new HttpServer(config.server().host(), config.server().port(), config.server().tls(), ingestAuth, readAuth,
                metricsAuth, ingest, registry, metrics, alerts, () -> ready.get() && store != null && store.healthy());
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamwatch-housekeeping");
            t.setDaemon(true);
            return t;
        });
    }

    /** The built-in alert rules, configured from {@code alerting}. */
    static List<Rule> rules(ServiceConfig.Alerting a) {
        long downAfter = a.appDownAfter().toMillis();
        return List.of(
                new BatchTooSlow(a.slowBatches()),
                new DelayGrowing(a.delayWindow()),
                new AppDown(downAfter),
                new AppStalled(downAfter),
                new BatchFailed(a.slowBatches()),
                new ReceiverError(Math.max(downAfter, 60_000)));
    }

    /**
     * {@code server.port: 0} means "any free port". It is chosen here rather than at bind time, so
     * that links in alerts (built before the server starts) carry the real port.
     */
    private static ServiceConfig withConcretePort(ServiceConfig c) {
        if (c.server().port() != 0) return c;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(c.server().host()))) {
            var server = new ServiceConfig.Server(c.server().host(), probe.getLocalPort(), c.server().externalUrl(), c.server().tls());
            return new ServiceConfig(server, c.storage(), c.ingest(), c.api(), c.metrics(), c.alerting(), c.spark(), c.kafka());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot find a free port on " + c.server().host() + ": " + e.getMessage(), e);
        }
    }

    private static String externalUrl(ServiceConfig.Server server) {
        if (server.externalUrl() != null) return server.externalUrl();
        String host = server.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return (server.tls() == null ? "http://" : "https://") + host + ":" + server.port();
    }

    /**
     * Opens the state store, restores apps and alerts from it, then starts serving.
     *
     * @throws io.streamwatch.service.store.StoreException when storage.dir cannot be used
     */
    public StreamwatchService start() {
        store = Store.open(config.storage().dir());
        StatePersistence persistence = new StatePersistence(store);
        StatePersistence.LoadedApps loaded = persistence.loadApps(config.storage().historyBatches());
        registry.restore(loaded.apps(), loaded.batches());
        registry.persistTo(persistence);
        alerts.persistTo(persistence);
        if (!loaded.apps().isEmpty()) {
            log.info("restored {} app(s) and their batch history from {}", loaded.apps().size(), store.file());
        }
        metrics.storeMetrics(store);
        if (ingestAuth.closed()) {
            log.warn("INGEST IS CLOSED: no ingest token is configured and ingest.allowUnauthenticated is false, so every "
                    + "POST /api/v1/events will be answered 401 and no app can report. Set ingest.tokens, ingest.tokenFile "
                    + "or STREAMWATCH_INGEST_TOKENS, and give the same token to the listener (spark.streamwatch.token).");
        } else if (config.ingest().allowUnauthenticated()) {
            log.warn("ingest.allowUnauthenticated is true: anyone who can reach this port can write events");
        }
        http.start();
        sparkPoller.start();
        if (kafkaPoller != null) kafkaPoller.start();
        alerts.start();
        housekeeping.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
        housekeeping.scheduleWithFixedDelay(() -> store.submit(Store.Change.prune(config.storage().historyBatches())),
                10, 60, TimeUnit.MINUTES);
        ready.set(true);
        log.info("Streamwatch listening on {}://{}:{} (ingest POST /api/v1/events, metrics GET /metrics, API GET /api/v1/apps)",
                config.server().tls() == null ? "http" : "https", config.server().host(), http.port());
        return this;
    }

    private void sweep() {
        try {
            int removed = registry.sweep();
            if (removed > 0) log.info("forgot {} app(s) not heard from for {}", removed, config.storage().appRetention());
        } catch (RuntimeException e) {
            log.error("housekeeping failed", e);
        }
    }

    public int port() {
        return http.port();
    }

    public AlertEngine alerts() {
        return alerts;
    }

    public AppRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        ready.set(false);
        housekeeping.shutdownNow();
        alerts.close();
        if (kafkaPoller != null) kafkaPoller.close();
        sparkPoller.close();
        http.stop();
        notifications.close();
        if (store != null) store.close();
        metrics.close();
    }
}
