package io.streamwatch.service.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.ingest.IngestHandler;
import io.streamwatch.service.ingest.RejectedException;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.rules.AlertEngine;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.BatchRecord;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the service. Every error is JSON {@code {"error": "..."}} naming the problem;
 * an unexpected failure is logged here and answered 500 without internals.
 */
public final class HttpServer {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private static final int DEFAULT_LIMIT = 100;

    private final Javalin app;
    private final String host;
    private final int port;
    private final ServiceConfig.Tls tls;

    public HttpServer(String host, int port, ServiceConfig.Tls tls, BearerAuth ingestAuth, BearerAuth readAuth, IngestHandler ingest,
                      AppRegistry registry, ServiceMetrics metrics, AlertEngine alerts, BooleanSupplier ready) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        ObjectMapper mapper = new ObjectMapper();
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.prefer405over404 = true;
            cfg.jsonMapper(new JavalinJackson(mapper, false));
            if (tls != null) TlsSetup.configure(cfg, tls, host, port);
        });

        app.post("/api/v1/events", ctx -> {
            try {
                ingestAuth.check(ctx.header("Authorization"));
                IngestHandler.Accepted a = ingest.handle(ctx.contentType(), ctx.header("Content-Encoding"),
                        ctx.contentLength(), ctx.bodyInputStream());
                metrics.ingestRequest("ok");
                ctx.json(Map.of("accepted", a.accepted(), "duplicates", a.duplicates()));
            } catch (RejectedException e) {
                metrics.ingestRequest(outcome(e.status()));
                throw e;
            }
        });

        app.get("/metrics", ctx -> {
            ServiceMetrics.Scrape s = metrics.scrape(ctx.header("Accept"));
            ctx.contentType(s.contentType()).result(s.body());
        });
        app.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
        app.get("/readyz", ctx -> {
            if (ready.getAsBoolean()) {
                ctx.json(Map.of("status", "ready"));
            } else {
                ctx.status(503).json(Map.of("status", "starting"));
            }
        });

        app.get("/api/v1/apps", ctx -> {
            readAuth.check(ctx.header("Authorization"));
            ctx.json(Map.of("apps", registry.snapshots().stream().map(ApiViews::appSummary).toList()));
        });
        app.get("/api/v1/apps/{app}", ctx -> {
            readAuth.check(ctx.header("Authorization"));
            String key = ctx.pathParam("app");
            ctx.json(ApiViews.appDetail(registry.snapshot(key).orElseThrow(() -> unknownApp(key))));
        });
        app.get("/api/v1/apps/{app}/batches", ctx -> {
            readAuth.check(ctx.header("Authorization"));
            String key = ctx.pathParam("app");
            int limit = limit(ctx, registry.historyCapacity());
            List<BatchRecord> batches = registry.batches(key, limit).orElseThrow(() -> unknownApp(key));
            ctx.json(Map.of("app", key, "batches", batches.stream().map(ApiViews::batch).toList()));
        });

        app.get("/api/v1/alerts", ctx -> {
            readAuth.check(ctx.header("Authorization"));
            String state = ctx.queryParamAsClass("state", String.class).getOrDefault("firing");
            if (!state.equals("firing") && !state.equals("all")) {
                throw RejectedException.badRequest("state: must be firing or all, got '" + clip(state) + "'");
            }
            ctx.json(Map.of("alerts", alerts.alerts(state.equals("all")).stream().map(ApiViews::alert).toList()));
        });
        String runbook = RunbookPage.load();
        app.get("/runbook", ctx -> ctx.html(runbook));

        app.exception(RejectedException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error; the service log has the details");
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || !ctx.result().startsWith("{\"error\"")) {
                error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
        app.error(405, ctx -> error(ctx, 405, "method " + ctx.method() + " is not allowed on " + ctx.path()));
    }

    private static RejectedException unknownApp(String key) {
        return new RejectedException(404, "unknown app '" + key + "'; GET /api/v1/apps lists the known app keys");
    }

    private static String clip(String s) {
        String c = s.length() > 20 ? s.substring(0, 20) + "..." : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }

    private static int limit(Context ctx, int max) {
        String raw = ctx.queryParam("limit");
        if (raw == null) return Math.min(DEFAULT_LIMIT, max);
        try {
            int n = Integer.parseInt(raw.trim());
            if (n >= 1 && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw RejectedException.badRequest("limit: must be a whole number from 1 to " + max + " (storage.historyBatches), got '"
                + (raw.length() > 20 ? raw.substring(0, 20) + "..." : raw) + "'");
    }

    private static String outcome(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 413 -> "too_large";
            case 415 -> "unsupported";
            case 429 -> "too_many";
            default -> "error";
        };
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
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
