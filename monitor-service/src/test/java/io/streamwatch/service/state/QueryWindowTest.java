package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the query rules see of a query: its window, and its state history over a long span. */
class QueryWindowTest {
    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 2000);
    private final AppRegistry registry =
            new AppRegistry(clock, 100, 10, Duration.ofSeconds(30), Duration.ofDays(1))
                    .stateGrowthWindow(Duration.ofMinutes(20));
    private final long t = clock.millis();
    private long seq = 1;

    private void apply(Events e) {
        registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
    }

    private Events request() {
        Events e = Events.from("shop", "app-1").startingAt(seq);
        seq += 1000;
        return e;
    }

    /** A micro-batch every 2 s with {@code rows} state rows. */
    private void progress(String runId, long batchId, long rows) {
        Events e = request();
        long at = t + batchId * 2000;
        e.queryProgress(at, "id-1", runId, "orders", batchId, at, 10, 300);
        e.lastProgress()
                .putArray("stateOperators")
                .addObject()
                .put("operatorName", "stateStoreSave")
                .put("numRowsTotal", rows)
                .put("numRowsUpdated", 1)
                .put("memoryUsedBytes", rows * 100)
                .put("numRowsDroppedByWatermark", 0);
        apply(e);
    }

    private QueryWindow window(int n) {
        return registry.queryWindow("shop", "orders", n).orElseThrow();
    }

    @Test
    void theWindowHoldsTheNewestMicroBatchesOfTheCurrentRunOnly() {
        apply(request().queryStarted(t, "id-1", "run-1", "orders", "processingTime", 2000L));
        for (int i = 0; i < 5; i++) progress("run-1", i, 10);
        apply(
                request()
                        .queryStarted(
                                t + 11_000, "id-1", "run-2", "orders", "processingTime", 2000L));
        progress("run-2", 6, 10);
        progress("run-2", 7, 10);
        QueryWindow w = window(10);
        assertEquals("run-2", w.runId());
        assertEquals(List.of(6L, 7L), w.recent().stream().map(MicroBatch::batchId).toList());
        assertEquals(2000L, w.triggerIntervalMs());
        assertEquals(QuerySnapshot.ACTIVE, w.state());
        assertEquals(1, window(1).recent().size());
        assertEquals(1, registry.queryWindows(1).size());
        assertEquals(1, registry.queryWindows("shop", 1).size());
        assertTrue(registry.queryWindows("nobody", 1).isEmpty());
    }

    @Test
    void theTimersWindowsLeaveOutWhatItSkipsAskingOnceForEverySubject() {
        apply(request().queryStarted(t, "id-1", "run-1", "orders", "processingTime", 2000L));
        apply(request().queryStarted(t, "id-2", "run-2", "refunds", "processingTime", 2000L));
        apply(Events.from("idle-app", "app-2").streamingStarted(t, 1000));
        List<String> asked = new java.util.ArrayList<>();
        List<QueryWindow> queries =
                registry.queryWindows(
                        1,
                        (app, query) -> {
                            asked.add(app + "/" + query);
                            return query.equals("orders");
                        });
        assertEquals(List.of("refunds"), queries.stream().map(QueryWindow::query).toList());
        assertEquals(java.util.Set.of("shop/orders", "shop/refunds"), java.util.Set.copyOf(asked));
        assertEquals(2, asked.size());
        List<String> appsAsked = new java.util.ArrayList<>();
        List<AppWindow> apps =
                registry.windows(
                        1,
                        app -> {
                            appsAsked.add(app);
                            return app.equals("shop");
                        });
        assertEquals(List.of("idle-app"), apps.stream().map(AppWindow::app).toList());
        assertEquals(java.util.Set.of("shop", "idle-app"), java.util.Set.copyOf(appsAsked));
        assertEquals(2, registry.windows(1).size(), "without a skip, every app");
    }

    @Test
    void stateHistoryIsDownsampledToAboutOneHundredTwentySamplesOverItsWindowAndSurvivesARestart()
            throws Exception {
        // 20 min window: a sample at most every 10 s; micro-batches every 2 s for 60 min.
        for (int i = 0; i < 1800; i++) progress("run-1", i, 1000 + i);
        List<StateHistory.Sample> h = window(1).stateHistory();
        assertTrue(h.size() >= 120 && h.size() <= 122, "samples: " + h.size());
        for (int i = 1; i < h.size(); i++)
            assertTrue(h.get(i).at() - h.get(i - 1).at() >= 10_000, "spacing at " + i);
        long newest = t + 1799 * 2000;
        assertTrue(newest - h.get(0).at() <= 20 * 60_000 + 20_000, "older than the window kept");
        assertEquals(h.get(h.size() - 1).rows() * 100, h.get(h.size() - 1).memoryBytes());

        // The service restarts: the history is part of what is stored with the query.
        Queries.Persisted stored =
                registry.snapshot("shop").isPresent() ? persistedQueries() : null;
        com.fasterxml.jackson.databind.ObjectMapper json =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .configure(
                                com.fasterxml.jackson.databind.DeserializationFeature
                                        .FAIL_ON_UNKNOWN_PROPERTIES,
                                false);
        String text = json.writeValueAsString(stored);
        Queries restored =
                new Queries(json.readValue(text, Queries.Persisted.class), Map.of(), Query.WINDOW);
        List<QueryWindow> again = restored.windows("shop", null, 1, clock.millis(), 0, false);
        assertEquals(h, again.get(0).stateHistory());

        // What an earlier release stored has no history: the query starts one afresh.
        com.fasterxml.jackson.databind.node.ObjectNode old =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(text);
        ((com.fasterxml.jackson.databind.node.ObjectNode) old.get("queries").get(0))
                .remove("stateHistory");
        Queries before =
                new Queries(json.treeToValue(old, Queries.Persisted.class), Map.of(), Query.WINDOW);
        assertTrue(
                before.windows("shop", null, 1, clock.millis(), 0, false)
                        .get(0)
                        .stateHistory()
                        .isEmpty());
    }

    /** The queries part of what the registry hands its persistence. */
    private Queries.Persisted persistedQueries() {
        PersistedApp[] saved = new PersistedApp[1];
        registry.persistTo(
                new Persistence() {
                    @Override
                    public java.util.concurrent.CompletableFuture<Void> save(
                            PersistedApp app, List<BatchRecord> newBatches) {
                        saved[0] = app;
                        return java.util.concurrent.CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public void forget(String app) {}
                });
        apply(
                request()
                        .heartbeat(clock.millis())
                        .queryIdle(clock.millis(), "id-1", "run-1", "orders", clock.millis()));
        return saved[0].queries();
    }
}
