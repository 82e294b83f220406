package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.testkit.Events;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real service on a real SQLite file whose write lock another connection holds: ingest answers
 * 503 and keeps nothing of the request, so the same request retried once the lock is gone is
 * applied (not answered as a duplicate), and a restart finds it.
 */
class StoreFailureHttpTest {
    private static Events batches(long t) {
        Events e = Events.from("orders", "app-1").streamingStarted(t, 1000);
        for (int i = 0; i < 3; i++) e.completed(t + i * 1000L, 0, 100, 10, null);
        return e;
    }

    private static Connection holdWriteLock(Path dir) throws Exception {
        Connection c =
                DriverManager.getConnection(
                        "jdbc:sqlite:" + dir.resolve("streamwatch.db").toAbsolutePath());
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // A write takes SQLite's one write lock until this connection commits or rolls back.
            s.executeUpdate("CREATE TABLE IF NOT EXISTS held (x INTEGER)");
        }
        return c;
    }

    @Test
    void aRequestAnswered503IsAppliedWhenRetriedAndSurvivesARestart() throws Exception {
        Path dir = ServiceHttpTest.tempDir("store-failure");
        Map<String, String> env = Map.of("STREAMWATCH_STORAGE_DIR", dir.toString());
        MutableClock clock = MutableClock.atSystemTime();
        Events request = batches(clock.millis());
        try (LoopbackService first = LoopbackService.start("store-failure", env, clock)) {
            LoopbackService.Response refused;
            try (Connection lock = holdWriteLock(dir)) {
                refused = first.ingest(request);
                assertEquals(503, refused.status(), refused.toString());
                LoopbackService.Response ready = first.get("/readyz", null);
                assertEquals(503, ready.status());
                assertEquals("store failing", ready.json().path("status").asText());
                lock.rollback();
            }
            LoopbackService.Response retried = first.ingest(request);
            assertEquals(200, retried.status(), retried.toString());
            assertEquals(4, retried.json().path("accepted").asInt(), retried.toString());
            assertEquals(0, retried.json().path("duplicates").asInt(), retried.toString());
            assertEquals(200, first.get("/readyz", null).status());
        }
        try (LoopbackService second = LoopbackService.start("store-failure", env, clock)) {
            assertEquals(
                    3,
                    second.service.registry().batches("orders", 10).orElseThrow().size(),
                    "the retried batches are on disk");
        }
    }

    @Test
    void anAppWhoseFirstRequestCarriesNoEventsIsThereAfterARestart() throws Exception {
        Path dir = ServiceHttpTest.tempDir("store-first-contact");
        Map<String, String> env = Map.of("STREAMWATCH_STORAGE_DIR", dir.toString());
        try (LoopbackService first = LoopbackService.start("store-first-contact", env)) {
            LoopbackService.Response r = first.ingest(Events.from("quiet", "app-q"));
            assertEquals(200, r.status(), r.toString());
            assertTrue(first.service.registry().snapshot("quiet").isPresent());
        }
        try (LoopbackService second = LoopbackService.start("store-first-contact", env)) {
            assertTrue(
                    second.service.registry().snapshot("quiet").isPresent(),
                    "an app known before the restart must not vanish (its alerts would resolve)");
        }
    }
}
