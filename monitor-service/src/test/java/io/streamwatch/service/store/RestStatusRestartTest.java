package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.RestObservation;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether an app's driver REST API answered is part of what survives a restart. */
class RestStatusRestartTest {
    @TempDir Path dir;
    private final MutableClock clock = MutableClock.atSystemTime();

    private AppRegistry restored(Store store) {
        StatePersistence persistence = new StatePersistence(store);
        StatePersistence.LoadedApps loaded = persistence.loadApps(100);
        AppRegistry registry =
                new AppRegistry(clock, 100, 100, Duration.ofSeconds(30), Duration.ofDays(7));
        registry.restore(loaded.apps(), loaded.batches());
        registry.persistTo(persistence);
        return registry;
    }

    private Boolean restUpAfterRestart(String app) {
        try (Store store = Store.open(dir)) {
            return restored(store).window(app, 1).orElseThrow().restUp();
        }
    }

    @Test
    void anAppWhoseRestAnsweredIsNotRestDownOrUnpolledAfterARestart() throws Exception {
        try (Store store = Store.open(dir)) {
            AppRegistry registry = restored(store);
            registry.apply(
                            new EventParser(clock, 100)
                                    .parse(
                                            Events.from("orders", "app-1")
                                                    .heartbeat(clock.millis())
                                                    .json()
                                                    .getBytes(StandardCharsets.UTF_8)))
                    .durable()
                    .get(10, TimeUnit.SECONDS);
            registry.restObserved(
                    "orders", new RestObservation("app-1", "3.5.1", null, 1000L, null, 0, null));
        }
        assertEquals(Boolean.TRUE, restUpAfterRestart("orders"));
        try (Store store = Store.open(dir)) {
            restored(store).restFailed("orders");
        }
        assertEquals(Boolean.FALSE, restUpAfterRestart("orders"));
    }

    @Test
    void anAppNeverPolledStaysUnpolledAfterARestart() throws Exception {
        try (Store store = Store.open(dir)) {
            restored(store)
                    .apply(
                            new EventParser(clock, 100)
                                    .parse(
                                            Events.from("orders", "app-1")
                                                    .heartbeat(clock.millis())
                                                    .json()
                                                    .getBytes(StandardCharsets.UTF_8)))
                    .durable()
                    .get(10, TimeUnit.SECONDS);
        }
        assertNull(restUpAfterRestart("orders"));
    }
}
