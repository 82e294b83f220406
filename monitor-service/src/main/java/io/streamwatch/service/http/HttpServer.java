package io.streamwatch.service.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.ingest.IngestHandler;
import io.streamwatch.service.ingest.RejectedException;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.rules.AlertView;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.SequenceJumpException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the service. Every error is JSON {@code {"error": "..."}} naming the problem,
 * including the requests Jetty refuses itself ({@link JsonErrorHandler}); an unexpected failure is
 * logged here and answered 500 without internals.
 *
 * <p>Access: ingest needs an ingest token (one bound to apps may only send their events, {@link
 * AppBinding}); the read API a reader token (an ingest token only with {@code
 * api.ingestTokensCanRead}); {@code /metrics} the same when {@code metrics.requireToken} is set;
 * {@code /healthz}, {@code /readyz} and {@code /runbook} are open; the status page ({@link
 * StatusPages}) needs what the read API needs. Read and metrics checks run before the route for GET
 * and HEAD alike. Slow or numerous ingest requests are bounded by {@link IngestGate} so that they
 * cannot take the workers the other endpoints need.
 */
public final class HttpServer {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private static final int DEFAULT_LIMIT = 100;

    private final Javalin app;
    private final String host;
    private final int port;
    private final ServiceConfig.Tls tls;

    /**
     * @param alerts the alerts {@code /api/v1/alerts} lists: firing, or with {@code true} also
     *     pending and recently resolved
     */
    public HttpServer(
            String host,
            int port,
            ServiceConfig.Tls tls,
            BearerAuth ingestAuth,
            BearerAuth readAuth,
            BearerAuth metricsAuth,
            ServiceConfig.Ingest limits,
            IngestHandler ingest,
            AppRegistry registry,
            ServiceMetrics metrics,
            Function<Boolean, List<AlertView>> alerts,
            Supplier<String> notReady) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        ObjectMapper mapper = new ObjectMapper();
        this.app =
                Javalin.create(
                        cfg -> {
                            cfg.showJavalinBanner = false;
                            cfg.startupWatcherEnabled = false;
                            cfg.http.prefer405over404 = true;
                            cfg.jsonMapper(new JavalinJackson(mapper, false));
                            cfg.jetty.modifyServer(
                                    server -> server.setErrorHandler(new JsonErrorHandler()));
                            cfg.jetty.modifyHttpConfiguration(
                                    http ->
                                            http.setMinRequestDataRate(
                                                    limits.minBodyBytesPerSecond()));
                            cfg.jetty.modifyServletContextHandler(
                                    handler -> handler.setErrorHandler(new JsonErrorHandler()));
                            if (tls != null) TlsSetup.configure(cfg, tls, host, port);
                        });

        guard("/metrics", metricsAuth);
        guard("/api/v1/apps", readAuth);
        guard("/api/v1/apps/{app}", readAuth);
        guard("/api/v1/apps/{app}/batches", readAuth);
        guard("/api/v1/apps/{app}/queries", readAuth);
        guard("/api/v1/apps/{app}/queries/{query}/batches", readAuth);
        guard("/api/v1/alerts", readAuth);
        app.before(HttpServer::checkQueryString);

        IngestGate gate = new IngestGate(limits.maxConcurrentRequests());
        AppBinding binding = new AppBinding(limits.appTokens());
        app.post(
                "/api/v1/events",
                ctx -> {
                    try {
                        ingestAuth.check(ctx.header("Authorization"));
                        Consumer<String> appCheck = binding.forRequest(ctx.header("Authorization"));
                        // a record: {"accepted":N,"duplicates":M}, always in that order
                        ctx.json(
                                gate.run(
                                        () -> apply(ctx, ingest, appCheck),
                                        IngestHandler.Pending::awaitDurable));
                        metrics.ingestRequest("ok");
                    } catch (RejectedException e) {
                        metrics.ingestRequest(outcome(e.status()));
                        throw e;
                    }
                });

        read(
                "/metrics",
                ctx -> {
                    String accept = ctx.header("Accept");
                    ctx.contentType(metrics.contentType(accept));
                    if (ctx.method() != HandlerType.HEAD) {
                        metrics.write(accept, ctx.outputStream());
                    }
                });
        read("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
        read(
                "/readyz",
                ctx -> {
                    String why = notReady.get();
                    if (why == null) {
                        ctx.json(Map.of("status", "ready"));
                    } else {
                        ctx.status(503).json(Map.of("status", why));
                    }
                });

        read(
                "/api/v1/apps",
                ctx ->
                        ctx.json(
                                Map.of(
                                        "apps",
                                        registry.snapshots().stream()
                                                .map(ApiViews::appSummary)
                                                .toList())));
        read(
                "/api/v1/apps/{app}",
                ctx -> {
                    String key = ctx.pathParam("app");
                    ctx.json(
                            ApiViews.appDetail(
                                    registry.snapshot(key).orElseThrow(() -> unknownApp(key))));
                });
        read(
                "/api/v1/apps/{app}/batches",
                ctx -> {
                    String key = ctx.pathParam("app");
                    int limit = limit(ctx, registry.historyCapacity(), "storage.historyBatches");
                    List<BatchRecord> batches =
                            registry.batches(key, limit).orElseThrow(() -> unknownApp(key));
                    ctx.json(
                            Map.of(
                                    "app",
                                    key,
                                    "batches",
                                    batches.stream().map(ApiViews::batch).toList()));
                });

        QueryRoutes queries = new QueryRoutes(registry);
        read("/api/v1/apps/{app}/queries", queries::list);
        read("/api/v1/apps/{app}/queries/{query}/batches", queries::batches);

        read(
                "/api/v1/alerts",
                ctx -> {
                    String state = single(ctx, "state");
                    if (state == null) state = "firing";
                    if (!state.equals("firing") && !state.equals("all")) {
                        throw RejectedException.badRequest(
                                "state: must be firing or all, got '" + clip(state) + "'");
                    }
                    ctx.json(
                            Map.of(
                                    "alerts",
                                    alerts.apply(state.equals("all")).stream()
                                            .map(ApiViews::alert)
                                            .toList()));
                });
        StatusPages.create(readAuth, tls != null, registry, alerts).register(app);
        String runbook = RunbookPage.load();
        read("/runbook", ctx -> ctx.html(runbook));

        app.exception(
                RejectedException.class,
                (e, ctx) -> {
                    if (e.retryAfterSeconds() > 0)
                        ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                    error(ctx, e.status(), e.getMessage());
                });
        app.exception(
                HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        app.exception(
                Exception.class,
                (e, ctx) -> {
                    log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                    error(ctx, 500, "internal error; the service log has the details");
                });
        app.error(
                404,
                ctx -> {
                    boolean page =
                            String.valueOf(ctx.res().getContentType()).startsWith("text/html");
                    if (!page && (ctx.result() == null || !ctx.result().startsWith("{\"error\""))) {
                        error(
                                ctx,
                                404,
                                "no such endpoint: " + ctx.method() + " " + clip(ctx.path(), 200));
                    }
                });
        app.error(
                405,
                ctx ->
                        error(
                                ctx,
                                405,
                                "method "
                                        + ctx.method()
                                        + " is not allowed on "
                                        + clip(ctx.path(), 200)));
    }

    private static IngestHandler.Pending apply(
            Context ctx, IngestHandler ingest, Consumer<String> appCheck) {
        try {
            return ingest.apply(
                    ctx.contentType(),
                    ctx.header("Content-Encoding"),
                    ctx.contentLength(),
                    IngestGate.bodyOf(ctx.bodyInputStream()),
                    appCheck);
        } catch (SequenceJumpException e) {
            throw RejectedException.badRequest(e.getMessage());
        }
    }

    /**
     * A GET route that answers HEAD the same way (status and headers), rather than Javalin's
     * blanket 200.
     */
    private void read(String path, Handler handler) {
        app.get(path, handler);
        app.head(path, handler);
    }

    /**
     * Runs {@code auth} before the GET and HEAD routes at {@code path}; other methods get their
     * 405.
     */
    private void guard(String path, BearerAuth auth) {
        app.before(
                path,
                ctx -> {
                    if (ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD)
                        auth.check(ctx.header("Authorization"));
                });
    }

    /** A query string that does not percent-decode is refused instead of being silently ignored. */
    private static void checkQueryString(Context ctx) {
        String q = ctx.queryString();
        if (q == null) return;
        try {
            URLDecoder.decode(q, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw RejectedException.badRequest(
                    "query string: malformed percent-encoding in '" + clip(q, 40) + "'");
        }
    }

    /**
     * A query parameter given at most once; {@code ?limit=1&limit=1000} is ambiguous and refused.
     */
    private static String single(Context ctx, String name) {
        List<String> values = ctx.queryParams(name);
        if (values.size() > 1)
            throw RejectedException.badRequest(
                    name + ": given " + values.size() + " times; give it once");
        return values.isEmpty() ? null : values.get(0);
    }

    static RejectedException unknownApp(String key) {
        return new RejectedException(
                404,
                "unknown app '" + clip(key, 200) + "'; GET /api/v1/apps lists the known app keys");
    }

    private static String clip(String s) {
        return clip(s, 20);
    }

    /** Client-supplied text fit to be echoed in an error: bounded and printable. */
    static String clip(String s, int max) {
        String c = s.length() > max ? s.substring(0, max) + "..." : s;
        return c.replaceAll("[\\p{Cntrl}\\x{D800}-\\x{DFFF}]", "?");
    }

    /** {@code ?limit=N}: 1 to {@code max} (the config key {@code maxKey}), default 100. */
    static int limit(Context ctx, int max, String maxKey) {
        String raw = single(ctx, "limit");
        if (raw == null) return Math.min(DEFAULT_LIMIT, max);
        if (raw.matches("[0-9]{1,9}")) {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= max) return n;
        }
        throw RejectedException.badRequest(
                "limit: must be a whole number from 1 to "
                        + max
                        + " ("
                        + maxKey
                        + "), got '"
                        + clip(raw)
                        + "'");
    }

    private static String outcome(int status) {
        return switch (status) {
            case 400, 408 -> "bad_request";
            case 401, 403 -> "unauthorized";
            case 413 -> "too_large";
            case 415 -> "unsupported";
            case 429 -> "too_many";
            default -> "error";
        };
    }

    private static void error(Context ctx, int status, String message) {
        String m = message == null || message.isBlank() ? "request refused" : message;
        ctx.status(status)
                .json(Map.of("error", m.length() > 1000 ? m.substring(0, 1000) + "..." : m));
    }

    public HttpServer start() {
        if (tls != null) {
            app.start(); // the TLS connector carries host and port
        } else {
            app.start(host, port);
        }
        return this;
    }

    public int port() {
        return app.port();
    }

    public void stop() {
        app.stop();
    }
}
