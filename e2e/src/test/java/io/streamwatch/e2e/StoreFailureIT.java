package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.ChildProcess;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real service jar on a damaged state store: it refuses to start, says what to do, and exits 78
 * so that a supervisor does not restart it in a loop (docs/OPERATIONS.md). And on a store whose
 * write lock another process holds: ingest answers 503, the same request retried later is accepted,
 * and a restart finds it.
 */
class StoreFailureIT {
    private static final String TOKEN = "store-failure-token-" + System.nanoTime();

    private static void assertRefusesToStart(Path dir, String what) throws Exception {
        Path db = dir.resolve("data/streamwatch.db").toAbsolutePath();
        try (ChildProcess p = ServiceProcess.in(dir).token(TOKEN).port(0).launch()) {
            assertTrue(
                    p.process().waitFor(60, TimeUnit.SECONDS),
                    "the service must exit on a damaged store; it printed:\n" + p.output());
            String out = p.output();
            assertEquals(78, p.process().exitValue(), out);
            assertTrue(out.contains(what), out);
            assertTrue(out.contains("mv " + db + " " + db + ".broken"), out);
            assertTrue(out.contains("backup"), out);
        }
    }

    @Test
    void anEmptyStoreFileIsRefusedWithExitCode78() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-store-empty");
        Files.createDirectories(dir.resolve("data"));
        Files.createFile(dir.resolve("data/streamwatch.db"));
        assertRefusesToStart(dir, "is empty");
        assertEquals(0, Files.size(dir.resolve("data/streamwatch.db")), "left untouched");
    }

    @Test
    void aCorruptStoreIsRefusedWithExitCode78() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-store-corrupt");
        try (ServiceProcess first = ServiceProcess.in(dir).token(TOKEN).port(0).start()) {
            for (int i = 0; i < 20; i++)
                assertEquals(200, first.ingest(events("app " + i, 0)).statusCode());
        }
        Path db = dir.resolve("data/streamwatch.db");
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            // Page 1 (header, schema) stays; the tables' pages after it are scribbled over.
            byte[] junk = new byte[(int) f.length() - 4096];
            Arrays.fill(junk, (byte) 0x5A);
            f.seek(4096);
            f.write(junk);
        }
        assertRefusesToStart(dir, db.toAbsolutePath().toString());

        Files.writeString(db, "not a database: someone copied the wrong file here");
        assertRefusesToStart(dir, "is not an SQLite database");
    }

    @Test
    void aRequestRefusedWhileTheStoreIsLockedIsAcceptedOnRetryAndSurvivesARestart()
            throws Exception {
        Assumptions.assumeTrue(sqlite3(), "needs the sqlite3 command to hold the write lock");
        Path dir = Files.createTempDirectory("streamwatch-store-locked");
        Events request = events("locked app", 3);
        try (ServiceProcess first =
                ServiceProcess.in(dir)
                        .token(TOKEN)
                        .port(0)
                        .requestTimeout(Duration.ofSeconds(30))
                        .start()) {
            assertEquals(200, first.ingest(events("locked app", 0)).statusCode());
            Process holder =
                    new ProcessBuilder("sqlite3", dir.resolve("data/streamwatch.db").toString())
                            .redirectErrorStream(true)
                            .start();
            try (OutputStream in = holder.getOutputStream()) {
                in.write("BEGIN IMMEDIATE;\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(500); // the holder has the lock once its shell read the line
                assertEquals(
                        503,
                        first.ingest(request).statusCode(),
                        "while another process holds the lock");
                assertEquals(503, first.status("/readyz"));
                in.write("ROLLBACK;\n.quit\n".getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
            HttpResponse<String> retried = first.ingest(request);
            assertEquals(200, retried.statusCode(), retried.body());
            assertTrue(retried.body().contains("\"accepted\":3"), retried.body());
        }
        try (ServiceProcess second = ServiceProcess.in(dir).token(TOKEN).port(0).start()) {
            assertEquals(6, second.batches("locked app", 100).size(), "the retried batches too");
        }
    }

    private static boolean sqlite3() {
        try {
            return new ProcessBuilder("sqlite3", "-version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * A listener request with three completed batches, {@code offset} seconds (and sequence
     * numbers) on.
     */
    private static Events events(String app, int offset) {
        long t = System.currentTimeMillis() - 60_000 + offset * 1000L;
        Events e = Events.from(app, "app-1").startingAt(offset + 1);
        for (int i = 0; i < 3; i++) e.completed(t + i * 1000L, 0, 100, 1, null);
        return e;
    }
}
