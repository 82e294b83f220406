package io.streamwatch.service;

import io.streamwatch.service.config.ConfigException;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.http.Access;
import io.streamwatch.service.http.BearerAuth;
import io.streamwatch.service.http.HttpServer;
import io.streamwatch.service.ingest.DecodingBudget;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.ingest.IngestHandler;
import io.streamwatch.service.ingest.RateLimiter;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.notify.NotificationDispatcher;
import io.streamwatch.service.poll.kafka.KafkaLagPoller;
import io.streamwatch.service.poll.spark.SparkRestPoller;
import io.streamwatch.service.rules.AlertEngine;
import io.streamwatch.service.rules.BuiltInRules;
import io.streamwatch.service.rules.Rule;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.store.StatePersistence;
import io.streamwatch.service.store.Store;
import io.streamwatch.service.store.StoreMetrics;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stages of the data's path from one ordered list: config, store, state, ingest, http,
 * notify, rules, pollers. The constructor configures every stage (validation only, no I/O); {@link
 * #start()} starts them in that order; {@link #close()} stops the started ones in reverse. http
 * starts before notify and rules because links in alerts carry the port it bound (with {@code
 * server.port: 0}, any free one); until every stage has started, {@code /readyz} says so. State
 * tells its listeners what changed: the rules subscribe to the registry.
 */
public final class StreamwatchService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamwatchService.class);

    private final ServiceConfig config;
    private final Clock clock;
    private final AppRegistry registry;
    private final ServiceMetrics metrics;
    private final BearerAuth ingestAuth;
    private final IngestHandler ingest;
    private final SparkRestPoller sparkPoller;
    private final KafkaLagPoller kafkaPoller;
    private final ScheduledExecutorService housekeeping;
    private final List<Stage> stages;
    private final Deque<Stage> started = new ArrayDeque<>();
    private final AtomicBoolean ready = new AtomicBoolean();

    /**
     * Batches of each app held in memory at least: beyond the rules' windows, they let a batch
     * reported twice (by the listener and the driver's REST API) be recognised as one.
     */
    static final int MIN_BATCHES_IN_MEMORY = 128;

    /** Micro-batches of each query held in memory at least (trigger inference, the rules). */
    static final int MIN_MICRO_BATCHES_IN_MEMORY = 32;

    // Set as their stages start.
    private volatile Store store;
    private volatile StatePersistence persistence;
    private volatile HttpServer http;
    private volatile String externalUrl;
    private volatile NotificationDispatcher notifications;
    private volatile AlertEngine alerts;

    /**
     * @throws ConfigException when a stage finds the configuration unusable
     */
    public StreamwatchService(ServiceConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registry =
                new AppRegistry(
                        clock,
                        config.storage().historyBatches(),
                        config.ingest().maxApps(),
                        config.alerting().appDownAfter(),
                        config.storage().appRetention());
        registry.stateGrowthWindow(config.alerting().stateGrowthWindow());
        this.metrics =
                new ServiceMetrics(
                        registry,
                        new AppMetricsCollector(registry, clock, config.metrics().appRetention()));
        this.ingestAuth = Access.ingest(config);
        RateLimiter rateLimiter =
                new RateLimiter(
                        clock,
                        config.ingest().maxRequestsPerSecondPerApp(),
                        config.ingest().maxApps(),
                        app -> registry.run(app).isPresent());
        this.ingest =
                new IngestHandler(
                        new EventParser(
                                clock,
                                config.ingest().maxEventsPerRequest(),
                                config.ingest().maxBodyBytes()),
                        registry,
                        metrics,
                        config.ingest().maxBodyBytes(),
                        rateLimiter,
                        new DecodingBudget(
                                config.ingest().maxDecodingBytes(),
                                config.ingest().maxBodyBytes()));
        this.sparkPoller = new SparkRestPoller(config.spark(), registry, metrics.registry(), clock);
        this.kafkaPoller =
                config.kafka().bootstrapServers() == null
                        ? null
                        : new KafkaLagPoller(
                                config.kafka(),
                                config.alerting().delayWindow(),
                                registry,
                                metrics,
                                clock);
        this.housekeeping =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "streamwatch-housekeeping");
                            t.setDaemon(true);
                            return t;
                        });
        this.stages =
                List.of(
                        Stage.of("config", this::validate, Stage::nothing, Stage::nothing),
                        Stage.of("store", Stage::nothing, this::startStore, () -> store.close()),
                        Stage.of(
                                "state",
                                Stage::nothing,
                                this::startState,
                                housekeeping::shutdownNow),
                        Stage.of("ingest", Stage::nothing, this::startIngest, Stage::nothing),
                        Stage.of("http", Stage::nothing, this::startHttp, () -> http.stop()),
                        Stage.of(
                                "notify",
                                Stage::nothing,
                                this::startNotify,
                                () -> notifications.close()),
                        Stage.of("rules", Stage::nothing, this::startRules, () -> alerts.close()),
                        Stage.of("pollers", Stage::nothing, this::startPollers, this::stopPollers));
        for (Stage s : stages) s.configure();
    }

    /**
     * What the stages need of the configuration beyond what the loader checks, for configurations
     * built in code.
     */
    private void validate() {
        List<String> problems = new ArrayList<>();
        if (config.storage().historyBatches() < 1) {
            problems.add(
                    "storage.historyBatches: must be at least 1, got "
                            + config.storage().historyBatches());
        }
        ServiceConfig.Tls tls = config.server().tls();
        if (tls != null && (tls.certFile() == null || tls.keyFile() == null)) {
            problems.add("server.tls: set both certFile and keyFile, or neither");
        }
        if (!problems.isEmpty()) throw new ConfigException(problems);
    }

    /**
     * Starts every stage in order; if one fails, stops those already started, in reverse, and
     * rethrows.
     *
     * @throws io.streamwatch.service.store.StoreException when storage.dir cannot be used
     * @throws ConfigException when a TLS file is unusable
     */
    public StreamwatchService start() {
        for (Stage s : stages) {
            try {
                s.start();
            } catch (RuntimeException e) {
                stopStarted();
                throw e;
            }
            started.push(s);
        }
        ready.set(true);
        store.checkHistoryInBackground();
        log.info(
                "Streamwatch listening on {}://{}:{} (ingest POST /api/v1/events, metrics GET /metrics, API GET /api/v1/apps)",
                config.server().tls() == null ? "http" : "https",
                config.server().host(),
                http.port());
        return this;
    }

    private void startStore() {
        store = Store.open(config.storage().dir());
        persistence = new StatePersistence(store, config.storage().historyMicroBatches());
        StoreMetrics.register(metrics.registry(), store);
        housekeeping.scheduleWithFixedDelay(
                () ->
                        store.submit(
                                Store.Change.prune(
                                        config.storage().historyBatches(),
                                        config.storage().historyMicroBatches())),
                10,
                60,
                TimeUnit.MINUTES);
    }

    /**
     * The store keeps the history: memory holds what the rules read (their longest window), with
     * room to spare, and never more than the history itself.
     */
    private void keepRuleWindows() {
        var a = config.alerting();
        int apps = BuiltInRules.apps(a).stream().mapToInt(Rule::window).max().orElse(1);
        int queries = BuiltInRules.queries(a).stream().mapToInt(Rule::window).max().orElse(1);
        registry.keepInMemory(
                Math.min(config.storage().historyBatches(), Math.max(MIN_BATCHES_IN_MEMORY, apps)),
                Math.min(
                        config.storage().historyMicroBatches(),
                        Math.max(MIN_MICRO_BATCHES_IN_MEMORY, queries)));
    }

    private void startState() {
        keepRuleWindows();
        StatePersistence.LoadedApps loaded =
                persistence.loadApps(registry.batchWindow(), registry.microBatchWindow());
        registry.restore(loaded.apps(), loaded.batches(), loaded.microBatches());
        registry.persistTo(persistence);
        if (!loaded.apps().isEmpty()) {
            log.info(
                    "restored {} app(s) and their batch history from {}",
                    loaded.apps().size(),
                    store.file());
        }
        housekeeping.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
    }

    private void startIngest() {
        if (ingestAuth.closed()) {
            log.warn(
                    "INGEST IS CLOSED: no ingest token is configured and ingest.allowUnauthenticated is false, so every "
                            + "POST /api/v1/events will be answered 401 and no app can report. Set ingest.tokens, ingest.tokenFile "
                            + "or STREAMWATCH_INGEST_TOKENS, and give the same token to the listener (spark.streamwatch.token).");
        } else if (config.ingest().allowUnauthenticated()) {
            log.warn(
                    "ingest.allowUnauthenticated is true: anyone who can reach this port can write events");
        }
    }

    /**
     * Binds the port (reading the TLS files first), then knows the URL that links in alerts carry.
     */
    private void startHttp() {
        ServiceConfig.Server server = config.server();
        http =
                new HttpServer(
                                server.host(),
                                server.port(),
                                server.tls(),
                                ingestAuth,
                                Access.read(config),
                                Access.metrics(config),
                                config.ingest(),
                                ingest,
                                registry,
                                metrics,
                                all -> alerts == null ? List.of() : alerts.alerts(all),
                                this::notReady)
                        .start();
        externalUrl = Access.externalUrl(server, http.port());
    }

    /** Why {@code /readyz} answers 503, or null when ready. */
    private String notReady() {
        if (store != null && !store.healthy()) return "store failing";
        return ready.get() ? null : "starting";
    }

    private void startNotify() {
        var alerting = config.alerting();
        notifications =
                new NotificationDispatcher(
                        alerting.receivers(),
                        alerting.resendInterval(),
                        externalUrl,
                        metrics.registry(),
                        clock,
                        io.streamwatch.service.store.SqliteOutbox.open(store));
    }

    private void startRules() {
        var alerting = config.alerting();
        if (kafkaPoller != null)
            kafkaPoller.archiveTo(io.streamwatch.service.store.SqliteLagArchive.open(store));
        alerts =
                new AlertEngine(
                        BuiltInRules.apps(alerting),
                        BuiltInRules.queries(alerting),
                        registry,
                        notifications,
                        clock,
                        alerting.resendInterval(),
                        externalUrl,
                        metrics.registry(),
                        kafkaPoller == null ? List::of : kafkaPoller::lagWindows,
                        kafkaPoller == null ? List.of() : BuiltInRules.kafkaLag(alerting));
        alerts.persistTo(persistence);
        alerts.startupGrace(alerting.effectiveStartupGrace());
        registry.subscribe(alerts::evaluate);
        alerts.start();
    }

    private void startPollers() {
        sparkPoller.start();
        if (kafkaPoller != null) kafkaPoller.start();
    }

    private void stopPollers() {
        if (kafkaPoller != null) kafkaPoller.close();
        sparkPoller.close();
    }

    private void sweep() {
        try {
            int removed = registry.sweep();
            if (removed > 0)
                log.info(
                        "forgot {} app(s) not heard from for {}",
                        removed,
                        config.storage().appRetention());
        } catch (RuntimeException e) {
            log.error("housekeeping failed", e);
        }
    }

    public int port() {
        return http.port();
    }

    /** The alert engine; null before {@link #start()}. */
    public AlertEngine alerts() {
        return alerts;
    }

    public AppRegistry registry() {
        return registry;
    }

    /** Stage names in start order. */
    List<String> stageNames() {
        return stages.stream().map(Stage::name).toList();
    }

    private void stopStarted() {
        ready.set(false);
        while (!started.isEmpty()) {
            Stage s = started.pop();
            try {
                s.stop();
            } catch (RuntimeException e) {
                log.warn("stopping stage {} failed", s.name(), e);
            }
        }
    }

    /** Stops the started stages in reverse order; the metrics registry last. */
    @Override
    public void close() {
        stopStarted();
        housekeeping.shutdownNow();
        metrics.close();
    }
}
