package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store holds the history, memory only the rules' windows: the API reads the history from the
 * store, and a restart loads only the windows.
 */
class HistoryInStoreTest {
    private static final int BATCH_WINDOW = 8;
    private static final int MICRO_BATCH_WINDOW = 5;

    @TempDir Path dir;

    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 1000);
    private final long t = clock.millis() / 1000 * 1000 - 600_000;

    private final class Instance implements AutoCloseable {
        final Store store = Store.open(dir);
        final StatePersistence persistence = new StatePersistence(store, 100);
        final AppRegistry registry =
                new AppRegistry(clock, 100, 100, Duration.ofSeconds(30), Duration.ofDays(7))
                        .keepInMemory(BATCH_WINDOW, MICRO_BATCH_WINDOW);
        final StatePersistence.LoadedApps loaded =
                persistence.loadApps(BATCH_WINDOW, MICRO_BATCH_WINDOW);

        Instance() {
            registry.restore(loaded.apps(), loaded.batches(), loaded.microBatches());
            registry.persistTo(persistence);
        }

        void ingest(Events e) throws Exception {
            registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)))
                    .durable()
                    .get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    /** 30 batches and 30 micro-batches of each of three apps. */
    private void fill(Instance s) throws Exception {
        for (String app : List.of("a", "b", "c")) {
            Events e = Events.from(app, "run-" + app).streamingStarted(t, 1000);
            e.queryStarted(t, "id-" + app, "qrun-" + app, "orders", "processingTime", 1000L);
            for (int i = 0; i < 30; i++) {
                e.completed(t + i * 1000L, 1, 100 + i, i, null);
                e.queryProgress(
                        t + i * 1000L,
                        "id-" + app,
                        "qrun-" + app,
                        "orders",
                        i,
                        t + i * 1000L,
                        i,
                        100);
            }
            s.ingest(e);
        }
    }

    @Test
    void theApiReadsTheWholeHistoryFromTheStoreBeyondTheWindowsInMemory() throws Exception {
        try (Instance s = new Instance()) {
            fill(s);
            List<BatchRecord> batches = s.registry.batches("b", 25).orElseThrow();
            assertEquals(25, batches.size());
            assertEquals(t + 29_000, batches.get(0).batchTime(), "newest first");
            assertEquals(t + 5_000, batches.get(24).batchTime());
            assertEquals(129, batches.get(0).processingTimeMs());
            List<MicroBatch> micro = s.registry.microBatches("b", "orders", 20).orElseThrow();
            assertEquals(20, micro.size());
            assertEquals(29, micro.get(0).batchId());
            assertEquals(BATCH_WINDOW, s.registry.window("b", 100).orElseThrow().recent().size());
            assertEquals(
                    MICRO_BATCH_WINDOW,
                    s.registry.queryWindow("b", "orders", 100).orElseThrow().recent().size());
        }
    }

    @Test
    void aRestartLoadsOnlyTheWindowsOfEveryAppAndQueryAndServesTheRestFromTheStore()
            throws Exception {
        try (Instance s = new Instance()) {
            fill(s);
        }
        try (Instance s = new Instance()) {
            for (String app : List.of("a", "b", "c")) {
                List<BatchRecord> loaded = s.loaded.batches().get(app);
                assertEquals(BATCH_WINDOW, loaded.size(), app);
                assertEquals(t + 22_000, loaded.get(0).batchTime(), "oldest first");
                assertEquals(t + 29_000, loaded.get(BATCH_WINDOW - 1).batchTime());
                List<MicroBatch> micro = s.loaded.microBatches().get(app).get("orders");
                assertEquals(MICRO_BATCH_WINDOW, micro.size(), app);
                assertEquals(25, micro.get(0).batchId(), "oldest first");
                assertEquals(29, micro.get(MICRO_BATCH_WINDOW - 1).batchId());
            }
            assertEquals(30, s.registry.batches("c", 100).orElseThrow().size());
            assertEquals(30, s.registry.microBatches("c", "orders", 100).orElseThrow().size());
            assertEquals(
                    30,
                    s.registry.snapshot("c").orElseThrow().batches().completed(),
                    "counters are stored, not counted from the window");
        }
    }
}
