package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.testkit.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class StoreTest {
    @TempDir Path dir;

    private static BatchRecord batch(String appId, long t) {
        return new BatchRecord(
                appId,
                t,
                t,
                t + 5,
                t + 105,
                5,
                100,
                105,
                42,
                t % 2 == 0,
                t % 2 == 0 ? "boom" : null,
                false);
    }

    @Test
    void theHistoryOfALargeStoreIsCheckedOnlyWhenAsked() throws Exception {
        Store.open(dir).close();
        try (Connection c =
                        DriverManager.getConnection(
                                "jdbc:sqlite:" + dir.resolve("streamwatch.db").toAbsolutePath());
                Statement st = c.createStatement()) {
            // past the size up to which the whole file is checked before the start
            st.execute(
                    "INSERT INTO apps VALUES ('big', printf('%.*c', "
                            + (StoreFile.FULL_CHECK_BYTES + (1 << 20))
                            + ", 'x'))");
        }
        Logger logger = (Logger) LoggerFactory.getLogger(Store.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (Store s = Store.open(dir)) {
            Thread.sleep(300); // what a check started by open() would have logged by now
            assertTrue(
                    logs.list.stream()
                            .noneMatch(e -> e.getFormattedMessage().contains("checked, sound")),
                    "no check before the service asks for it");
            s.checkHistoryInBackground();
            Await.until(
                    Duration.ofSeconds(30),
                    "the background check to report",
                    () ->
                            logs.list.stream()
                                    .anyMatch(
                                            e ->
                                                    e.getFormattedMessage()
                                                            .contains(
                                                                    "history tables checked, sound")));
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void whatWasCommittedIsThereAfterReopening() throws Exception {
        try (Store s = Store.open(dir)) {
            s.submit(
                            Store.Change.app(
                                    "orders",
                                    "{\"v\":1}",
                                    List.of(
                                            new Store.AppBatch("orders", batch("a1", 1000)),
                                            new Store.AppBatch("orders", batch("a1", 2001)))))
                    .get(10, TimeUnit.SECONDS);
            s.submit(Store.Change.app("orders", "{\"v\":2}", List.of())).get(10, TimeUnit.SECONDS);
            s.submit(
                            Store.Change.alert(
                                    new Store.AlertRow(
                                            "app",
                                            "orders",
                                            "StreamingBatchTooSlow",
                                            "{\"firing\":true}")))
                    .get(10, TimeUnit.SECONDS);
        }
        try (Store s = Store.open(dir)) {
            Store.Snapshot snap = s.load(1000);
            assertEquals(
                    Map.of("orders", "{\"v\":2}"), snap.apps(), "the last state of an app wins");
            assertEquals(
                    List.of(batch("a1", 1000), batch("a1", 2001)),
                    snap.batches().get("orders"),
                    "batches, oldest first, every field");
            assertEquals(
                    List.of(
                            new Store.AlertRow(
                                    "app", "orders", "StreamingBatchTooSlow", "{\"firing\":true}")),
                    snap.alerts());
        }
    }

    @Test
    void aBatchIsStoredOnceHoweverOftenItIsWritten() throws Exception {
        try (Store s = Store.open(dir)) {
            for (int i = 0; i < 3; i++) {
                s.submit(
                                Store.Change.app(
                                        "a",
                                        "{}",
                                        List.of(new Store.AppBatch("a", batch("x", 5000)))))
                        .get(10, TimeUnit.SECONDS);
            }
            assertEquals(1, s.load(100).batches().get("a").size());
        }
    }

    @Test
    void anotherServiceCannotShareTheDirectory() {
        try (Store first = Store.open(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> Store.open(dir));
            assertTrue(
                    e.getMessage().contains("is in use by another Streamwatch process"),
                    e.getMessage());
        }
        Store.open(dir).close(); // released on close
    }

    @Test
    void aDatabaseFromANewerReleaseIsRefusedWithAnExplanation() throws Exception {
        Store.open(dir).close();
        try (Connection c =
                        DriverManager.getConnection(
                                "jdbc:sqlite:" + dir.resolve("streamwatch.db"));
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_version (version) VALUES (99)");
        }
        // Damaged-store class, so the service exits 78 and no supervisor restarts it in a loop.
        StoreDamagedException e = assertThrows(StoreDamagedException.class, () -> Store.open(dir));
        assertTrue(
                e.getMessage().contains("schema version 99")
                        && e.getMessage().contains("newer release"),
                e.getMessage());
    }

    @Test
    void manyConcurrentWritersAreGroupCommittedAndAllDurable() throws Exception {
        int writers = 8;
        int each = 200;
        try (Store s = Store.open(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String app = "app-" + w;
                pool.submit(
                                () -> {
                                    for (int i = 0; i < each; i++) {
                                        CompletableFuture<Void> f =
                                                s.submit(
                                                        Store.Change.app(
                                                                app,
                                                                "{\"i\":" + i + "}",
                                                                List.of(
                                                                        new Store.AppBatch(
                                                                                app,
                                                                                batch(
                                                                                        "r",
                                                                                        1_000_000L
                                                                                                + i)))));
                                        synchronized (done) {
                                            done.add(f);
                                        }
                                    }
                                    return null;
                                })
                        .get();
            }
            pool.shutdown();
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            assertTrue(
                    s.commits() < (long) writers * each,
                    "changes share transactions: " + s.commits() + " commits");
            assertEquals((long) writers * each, s.changes());
        }
        try (Store s = Store.open(dir)) {
            Store.Snapshot snap = s.load(10_000);
            for (int w = 0; w < writers; w++) {
                assertEquals(each, snap.batches().get("app-" + w).size());
                assertEquals("{\"i\":" + (each - 1) + "}", snap.apps().get("app-" + w));
            }
        }
    }

    @Test
    void pruningKeepsTheNewestBatchesOfEachAppAndForgettingRemovesAnApp() throws Exception {
        try (Store s = Store.open(dir)) {
            List<Store.AppBatch> rows = new ArrayList<>();
            for (long t = 1; t <= 20; t++)
                rows.add(new Store.AppBatch("keep", batch("r", t * 1000)));
            s.submit(Store.Change.app("keep", "{}", rows)).get(10, TimeUnit.SECONDS);
            s.submit(
                            Store.Change.app(
                                    "gone",
                                    "{}",
                                    List.of(new Store.AppBatch("gone", batch("r", 1000)))))
                    .get(10, TimeUnit.SECONDS);
            s.submit(Store.Change.prune(5, 0)).get(10, TimeUnit.SECONDS);
            s.submit(Store.Change.forget("gone")).get(10, TimeUnit.SECONDS);
            Store.Snapshot snap = s.load(100);
            assertEquals(
                    List.of(16_000L, 17_000L, 18_000L, 19_000L, 20_000L),
                    snap.batches().get("keep").stream().map(BatchRecord::batchTime).toList());
            assertNull(snap.apps().get("gone"));
        }
    }

    @Test
    void anAlertRowIsDeletedWithANullState() throws Exception {
        try (Store s = Store.open(dir)) {
            s.submit(
                            Store.Change.alert(
                                    new Store.AlertRow(
                                            "group", "billing", "KafkaLagGrowing", "{}")))
                    .get(10, TimeUnit.SECONDS);
            s.submit(
                            Store.Change.alert(
                                    new Store.AlertRow(
                                            "group", "billing", "KafkaLagGrowing", null)))
                    .get(10, TimeUnit.SECONDS);
            assertTrue(s.load(1).alerts().isEmpty());
        }
    }

    @Test
    void anUnwritableDirectoryIsAStartupErrorNamingIt() throws Exception {
        Path file = dir.resolve("not-a-dir");
        java.nio.file.Files.writeString(file, "x");
        StoreException e =
                assertThrows(StoreException.class, () -> Store.open(file.resolve("sub")));
        assertTrue(
                e.getMessage().contains("storage.dir") && e.getMessage().contains("not-a-dir"),
                e.getMessage());
    }
}
