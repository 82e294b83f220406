package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.StreamwatchServiceRules;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.rules.AlertEngine;
import io.streamwatch.testkit.Events;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store does when writing fails unexpectedly, when alerts are paged relative to their
 * commit, and which database files it refuses to start on.
 */
class StoreFailureTest {
    @TempDir Path dir;

    private static Store.Change app(String name) {
        return Store.Change.app(name, "{\"v\":1}", List.of());
    }

    @Test
    void anUnexpectedErrorOnTheWriterAnswersEveryWaiterAndTheWriterGoesOn() throws Exception {
        try (Store store = Store.open(dir)) {
            store.beforeCommit =
                    () -> {
                        throw new OutOfMemoryError("injected");
                    };
            List<CompletableFuture<Void>> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) waiting.add(store.submit(app("a" + i)));
            for (CompletableFuture<Void> f : waiting) {
                ExecutionException e =
                        assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(StoreException.class, e.getCause());
            }
            assertFalse(store.healthy());
            store.beforeCommit = () -> {};
            store.submit(app("b")).get(10, TimeUnit.SECONDS);
            assertTrue(store.healthy());
            assertEquals(Map.of("b", "{\"v\":1}"), store.load(0).apps(), "nothing of the failed");
        }
    }

    @Test
    void anAlertIsPagedOnlyOnceItsStateIsOnDisk() throws Exception {
        MutableClock clock = MutableClock.atSystemTime();
        long t = clock.millis();
        List<Boolean> storedWhenPaged = new ArrayList<>();
        AtomicBoolean slowCommit = new AtomicBoolean();
        try (Store store = Store.open(dir)) {
            StatePersistence persistence = new StatePersistence(store);
            store.beforeCommit =
                    () -> {
                        if (!slowCommit.get()) return;
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    };
            var registry =
                    new io.streamwatch.service.state.AppRegistry(
                            clock, 1000, 100, Duration.ofSeconds(30), Duration.ofDays(7));
            registry.persistTo(persistence);
            AlertEngine engine =
                    new AlertEngine(
                            StreamwatchServiceRules.defaults(),
                            registry,
                            (alert, transition) -> storedWhenPaged.add(alertRowsOnDisk() > 0),
                            clock,
                            Duration.ofSeconds(60),
                            "http://test",
                            new SimpleMeterRegistry());
            engine.persistTo(persistence);
            Events slow = Events.from("orders", "app-1").streamingStarted(t, 1000);
            for (int i = 0; i < 3; i++) slow.completed(t + i * 1000L, 0, 1500, 10, null);
            registry.apply(
                            new EventParser(clock, 1000)
                                    .parse(slow.json().getBytes(StandardCharsets.UTF_8)))
                    .durable()
                    .get(10, TimeUnit.SECONDS);
            slowCommit.set(true);
            engine.evaluate("orders");
        }
        assertEquals(
                List.of(true), storedWhenPaged, "the page went out before its state was stored");
    }

    /** Read through a connection of its own: only what is committed. */
    private int alertRowsOnDisk() {
        try (Connection c =
                        DriverManager.getConnection(
                                "jdbc:sqlite:" + dir.resolve("streamwatch.db"));
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*) FROM alerts")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private void assertRefused(String what) {
        StoreDamagedException e = assertThrows(StoreDamagedException.class, () -> Store.open(dir));
        Path db = dir.resolve("streamwatch.db").toAbsolutePath();
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertTrue(e.getMessage().contains("mv " + db + " " + db + ".broken"), e.getMessage());
        assertTrue(e.getMessage().contains("backup"), e.getMessage());
        assertEquals(78, StoreDamagedException.EXIT_CODE);
    }

    @Test
    void anEmptyDatabaseFileIsRefusedNotStartedAfresh() throws Exception {
        Files.createFile(dir.resolve("streamwatch.db"));
        assertRefused("is empty");
        assertEquals(0, Files.size(dir.resolve("streamwatch.db")), "left as it was");
    }

    @Test
    void aFileThatIsNotAnSqliteDatabaseIsRefused() throws Exception {
        Files.writeString(dir.resolve("streamwatch.db"), "this is not a database at all, really");
        assertRefused("is not an SQLite database");
    }

    @Test
    void aDatabaseWithoutOurSchemaIsRefused() throws Exception {
        try (Connection c =
                        DriverManager.getConnection(
                                "jdbc:sqlite:" + dir.resolve("streamwatch.db"));
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE something_else (x INTEGER)");
        }
        assertRefused("without Streamwatch's schema");
    }

    @Test
    void aDatabaseWithDamagedPagesIsRefused() throws Exception {
        try (Store store = Store.open(dir)) {
            List<Store.AppBatch> none = List.of();
            for (int i = 0; i < 200; i++)
                store.submit(Store.Change.app("app-" + i, "x".repeat(500), none));
            store.submit(app("last")).get(10, TimeUnit.SECONDS);
        }
        Path db = dir.resolve("streamwatch.db");
        Files.deleteIfExists(dir.resolve("streamwatch.db-wal"));
        Files.deleteIfExists(dir.resolve("streamwatch.db-shm"));
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            // Keep page 1 (header and schema), scribble over the b-tree pages after it.
            byte[] junk = new byte[(int) f.length() - 4096];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            f.seek(4096);
            f.write(junk);
        }
        assertRefused("streamwatch.db");
    }

    @Test
    void aMissingDatabaseStartsEmpty() {
        try (Store store = Store.open(dir)) {
            assertTrue(store.load(10).apps().isEmpty());
        }
    }
}
