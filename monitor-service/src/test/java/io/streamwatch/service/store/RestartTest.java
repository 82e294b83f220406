package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.StreamwatchServiceRules;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.notify.Transition;
import io.streamwatch.service.rules.AlertEngine;
import io.streamwatch.service.rules.BatchTooSlow;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's memory, written to the store and read back by a new instance, as after a restart.
 */
class RestartTest {
    @TempDir Path dir;

    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 1000);
    private final List<Transition> sent = new ArrayList<>();

    private final class Instance implements AutoCloseable {
        final Store store = Store.open(dir);
        final StatePersistence persistence = new StatePersistence(store);
        final AppRegistry registry =
                new AppRegistry(clock, 1000, 100, Duration.ofSeconds(30), Duration.ofDays(7));
        final AlertEngine engine =
                new AlertEngine(
                        StreamwatchServiceRules.defaults(),
                        registry,
                        (alert, t) -> {
                            if (alert.name().equals(BatchTooSlow.NAME)) sent.add(t);
                        },
                        clock,
                        Duration.ofSeconds(60),
                        "http://test",
                        new SimpleMeterRegistry());

        Instance() {
            StatePersistence.LoadedApps loaded = persistence.loadApps(1000);
            registry.restore(loaded.apps(), loaded.batches());
            registry.persistTo(persistence);
            engine.persistTo(persistence);
        }

        AppRegistry.Result ingest(Events e) throws Exception {
            AppRegistry.Result r =
                    registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
            r.durable().get(10, TimeUnit.SECONDS);
            engine.evaluate("orders");
            return r;
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private static Events run(long t, long... processing) {
        Events e = Events.from("orders", "app-1").streamingStarted(t, 1000);
        for (int i = 0; i < processing.length; i++)
            e.completed(t + i * 1000L, 0, processing[i], 10 + i, i == 1 ? "boom" : null);
        return e;
    }

    @Test
    void appsHistoryCountersAndSequenceWatermarksSurviveARestart() throws Exception {
        long t = clock.millis();
        AppSnapshot before;
        try (Instance first = new Instance()) {
            first.ingest(run(t, 100, 200, 300));
            before = first.registry.snapshot("orders").orElseThrow();
        }
        try (Instance second = new Instance()) {
            AppSnapshot after = second.registry.snapshot("orders").orElseThrow();
            assertEquals(before.run().appId(), after.run().appId());
            assertEquals(before.batches().completed(), after.batches().completed());
            assertEquals(before.batches().failed(), after.batches().failed());
            assertEquals(before.batches().records(), after.batches().records());
            assertEquals(before.batchIntervalMs(), after.batchIntervalMs());
            assertEquals(before.lastBatch(), after.lastBatch());
            assertEquals(
                    before.batches().processingTime().count(),
                    after.batches().processingTime().count());
            assertEquals(
                    java.util.Arrays.toString(before.batches().processingTime().counts()),
                    java.util.Arrays.toString(after.batches().processingTime().counts()));
            assertEquals(second.registry.batches("orders", 10).orElseThrow().size(), 3);
            // The listener re-sends what it was never told was stored: the service knows it has it.
            AppRegistry.Result again = second.ingest(run(t, 100, 200, 300));
            assertEquals(0, again.accepted());
            assertEquals(4, again.duplicates());
            assertEquals(3, second.registry.snapshot("orders").orElseThrow().batches().completed());
        }
    }

    @Test
    void aFiringAlertIsNotSentAgainAfterARestartButItsResolveIs() throws Exception {
        long t = clock.millis();
        try (Instance first = new Instance()) {
            first.ingest(run(t, 1500, 1500, 1500));
        }
        assertEquals(List.of(Transition.FIRING), sent);
        try (Instance second = new Instance()) {
            assertTrue(
                    second.engine.alerts(false).stream()
                            .anyMatch(a -> a.alertname().equals(BatchTooSlow.NAME)),
                    "still firing after the restart");
            second.engine.tick();
            assertEquals(List.of(Transition.FIRING), sent, "no second page for the same alert");
            Events recovery = Events.from("orders", "app-1").startingAt(5);
            for (int i = 3; i < 6; i++) recovery.completed(t + i * 1000L, 0, 200, 1, null);
            second.ingest(recovery);
            assertEquals(List.of(Transition.FIRING, Transition.RESOLVED), sent);
        }
        try (Instance third = new Instance()) {
            assertTrue(third.engine.alerts(false).isEmpty(), "the resolve was stored too");
        }
    }
}
