package io.streamwatch.service.http;

import io.javalin.http.Context;
import io.streamwatch.service.ingest.RejectedException;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.MicroBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/apps/{app}/queries} and {@code GET
 * /api/v1/apps/{app}/queries/{query}/batches}: an app's Structured Streaming queries, and one
 * query's micro-batches from the store, newest first. Keys arrive URL-decoded.
 */
final class QueryRoutes {
    private final AppRegistry registry;

    QueryRoutes(AppRegistry registry) {
        this.registry = registry;
    }

    void list(Context ctx) {
        String key = ctx.pathParam("app");
        AppSnapshot a = registry.snapshot(key).orElseThrow(() -> HttpServer.unknownApp(key));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", key);
        m.put("queries", a.queries().stream().map(ApiViews::query).toList());
        ctx.json(m);
    }

    void batches(Context ctx) {
        String key = ctx.pathParam("app");
        String query = ctx.pathParam("query");
        int limit =
                HttpServer.limit(ctx, registry.microBatchCapacity(), "storage.historyMicroBatches");
        if (registry.snapshot(key).isEmpty()) throw HttpServer.unknownApp(key);
        List<MicroBatch> batches =
                registry.microBatches(key, query, limit)
                        .orElseThrow(
                                () ->
                                        new RejectedException(
                                                404,
                                                "unknown query '"
                                                        + HttpServer.clip(query, 200)
                                                        + "' of app '"
                                                        + HttpServer.clip(key, 200)
                                                        + "'; GET /api/v1/apps/{app}/queries lists"
                                                        + " its query keys (URL-encode them)"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", key);
        m.put("query", query);
        m.put("batches", batches.stream().map(ApiViews::microBatch).toList());
        ctx.json(m);
    }
}
