package io.streamwatch.service;

import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.http.BearerAuth;
import io.streamwatch.service.http.HttpServer;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.ingest.IngestHandler;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.state.AppRegistry;
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
    private final ScheduledExecutorService housekeeping;
    private final AtomicBoolean ready = new AtomicBoolean();

    public StreamwatchService(ServiceConfig config, Clock clock) {
        this.config = config;
        this.registry = new AppRegistry(clock, config.storage().historyBatches(), config.ingest().maxApps(),
                config.alerting().appDownAfter(), config.storage().appRetention());
        this.metrics = new ServiceMetrics(registry, new AppMetricsCollector(registry, clock, config.metrics().appRetention()));
        this.ingestAuth = new BearerAuth(List.of(config.ingest().tokens()), config.ingest().allowUnauthenticated(),
                "ingest", "ingest.tokens, ingest.tokenFile or STREAMWATCH_INGEST_TOKENS");
        BearerAuth readAuth = new BearerAuth(List.of(config.api().tokens(), config.ingest().tokens()),
                config.api().allowUnauthenticated(), "the read API", "api.tokens, api.tokenFile or STREAMWATCH_API_TOKENS");
        IngestHandler ingest = new IngestHandler(new EventParser(clock, config.ingest().maxEventsPerRequest()), registry,
                metrics, config.ingest().maxBodyBytes());
        this.http = new HttpServer(config.server().host(), config.server().port(), ingestAuth, readAuth, ingest, registry,
                metrics, ready::get);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamwatch-housekeeping");
            t.setDaemon(true);
            return t;
        });
    }

    public StreamwatchService start() {
        if (ingestAuth.closed()) {
            log.warn("INGEST IS CLOSED: no ingest token is configured and ingest.allowUnauthenticated is false, so every "
                    + "POST /api/v1/events will be answered 401 and no app can report. Set ingest.tokens, ingest.tokenFile "
                    + "or STREAMWATCH_INGEST_TOKENS, and give the same token to the listener (spark.streamwatch.token).");
        } else if (config.ingest().allowUnauthenticated()) {
            log.warn("ingest.allowUnauthenticated is true: anyone who can reach this port can write events");
        }
        http.start();
        housekeeping.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
        ready.set(true);
        log.info("Streamwatch listening on http://{}:{} (ingest POST /api/v1/events, metrics GET /metrics, API GET /api/v1/apps)",
                config.server().host(), http.port());
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

    public AppRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        ready.set(false);
        housekeeping.shutdownNow();
        http.stop();
        metrics.close();
    }
}
