package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query state and micro-batch history in the store: across restarts, pruned, forgotten. */
class QueryHistoryTest {
    @TempDir Path dir;

    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 1000);
    private final long t = clock.millis() / 1000 * 1000 - 600_000;

    private final class Instance implements AutoCloseable {
        final Store store = Store.open(dir);
        final StatePersistence persistence = new StatePersistence(store, 10);
        final AppRegistry registry =
                new AppRegistry(clock, 1000, 100, Duration.ofSeconds(30), Duration.ofDays(7));

        Instance() {
            StatePersistence.LoadedApps loaded = persistence.loadApps(1000);
            registry.restore(loaded.apps(), loaded.batches(), loaded.microBatches());
            registry.persistTo(persistence);
        }

        AppRegistry.Result ingest(Events e) throws Exception {
            AppRegistry.Result r =
                    registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
            r.durable().get(10, TimeUnit.SECONDS);
            return r;
        }

        QuerySnapshot query(String key) {
            return registry.snapshot("shop").orElseThrow().queries().stream()
                    .filter(q -> q.query().equals(key))
                    .findFirst()
                    .orElseThrow();
        }

        /** Waits until every change submitted so far is written. */
        void flush() throws Exception {
            store.submit(Store.Change.prune(0, 0)).get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private Events run(String appId, String runId, int from, int to) {
        Events e = Events.from("shop", appId).startingAt(1 + from * 10L);
        if (from == 0) e.queryStarted(t, "id-1", runId, "orders eu", "processingTime", 1000L);
        for (int i = from; i < to; i++)
            e.queryProgress(t + i * 1000L, "id-1", runId, "orders eu", i, t + i * 1000L, i, 100);
        return e;
    }

    @Test
    void queriesAndTheirMicroBatchesSurviveARestartAndAReSentRequestCountsNothing()
            throws Exception {
        QuerySnapshot before;
        try (Instance first = new Instance()) {
            first.ingest(run("app-1", "run-1", 0, 5));
            first.ingest(
                    Events.from("shop", "app-1")
                            .startingAt(100)
                            .queryStarted(t + 9000, "id-1", "run-2", "orders eu", null, null)
                            .queryTerminated(t + 9500, "id-1", "run-2", "orders eu", "boom", null)
                            .queryStarted(t + 9700, "id-1", "run-3", "orders eu", null, null));
            before = first.query("orders eu");
        }
        try (Instance second = new Instance()) {
            QuerySnapshot after = second.query("orders eu");
            assertEquals(
                    before.toString().replaceAll("\\[J@[0-9a-f]+", ""),
                    after.toString().replaceAll("\\[J@[0-9a-f]+", ""));
            assertEquals(2, after.restarts());
            assertEquals(1, after.failures());
            assertEquals(5, after.batchesCompleted());
            assertEquals(5, after.batchDuration().count());
            assertNotNull(after.last());
            assertEquals(4, after.last().batchId());
            List<MicroBatch> stored =
                    second.registry.microBatches("shop", "orders eu", 3).orElseThrow();
            assertEquals(List.of(4L, 3L, 2L), stored.stream().map(MicroBatch::batchId).toList());
            assertEquals(before.last(), stored.get(0), "the stored body is the micro-batch");

            // The listener re-sends the same request: the seq marks say it is known.
            AppRegistry.Result again = second.ingest(run("app-1", "run-1", 0, 5));
            assertEquals(0, again.accepted());
            // A listener instance the service does not know sends batches 3 and 4 of the query's
            // id again: still once.
            Events other = run("app-1", "run-3", 3, 5);
            ((ObjectNode) other.root().get("source")).put("instance", "instance-b");
            assertEquals(2, second.ingest(other).accepted());
            assertEquals(5, second.query("orders eu").batchesCompleted());
            assertEquals(
                    5, second.registry.microBatches("shop", "orders eu", 10).orElseThrow().size());
        }
    }

    @Test
    void theStoreKeepsTheNewestMicroBatchesPerQueryAfterPruning() throws Exception {
        try (Instance first = new Instance()) {
            first.ingest(run("app-1", "run-1", 0, 15));
            assertEquals(
                    15, first.registry.microBatches("shop", "orders eu", 100).orElseThrow().size());
            first.store.submit(Store.Change.prune(1000, 10)).get(10, TimeUnit.SECONDS);
            List<MicroBatch> kept =
                    first.registry.microBatches("shop", "orders eu", 100).orElseThrow();
            assertEquals(10, kept.size());
            assertEquals(14, kept.get(0).batchId());
            assertEquals(5, kept.get(9).batchId());
            assertEquals(10, first.registry.microBatchCapacity());
        }
    }

    @Test
    void aForgottenAppTakesItsMicroBatchesWithIt() throws Exception {
        try (Instance first = new Instance()) {
            first.ingest(run("app-1", "run-1", 0, 3));
            clock.advance(Duration.ofDays(8));
            assertEquals(1, first.registry.sweep());
            first.flush();
            assertEquals(List.of(), first.store.queryBatches("shop", "orders eu", 10));
            assertEquals(Map.of(), first.store.loadQueryWindows(128));
        }
    }

    @Test
    void anAppStoredByVersionTwoWithoutQueriesRestores() throws Exception {
        String v3;
        try (Instance first = new Instance()) {
            first.ingest(run("app-1", "run-1", 0, 2));
            v3 = first.store.load(10).apps().get("shop");
        }
        ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(v3);
        assertEquals(3, tree.get("version").asInt());
        tree.put("version", 2);
        tree.remove("queries");
        try (Store s = Store.open(dir)) {
            s.submit(Store.Change.app("shop", tree.toString(), List.of()))
                    .get(10, TimeUnit.SECONDS);
            s.submit(Store.Change.forget("other")).get(10, TimeUnit.SECONDS);
        }
        try (Instance second = new Instance()) {
            assertTrue(second.registry.snapshot("shop").orElseThrow().queries().isEmpty());
            assertEquals("app-1", second.registry.snapshot("shop").orElseThrow().run().appId());
        }
    }
}
