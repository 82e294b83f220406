package io.streamwatch.service.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The store's files: the directory lock, and whether an existing database can be trusted: not
 * empty, an SQLite database, passing SQLite's quick check, holding Streamwatch's schema. Anything
 * else is refused with a {@link StoreDamagedException} that says what to do, never replaced by an
 * empty store.
 */
final class StoreFile {
    private StoreFile() {}

    /** Takes {@code dir/streamwatch.lock}, so that two services never share one directory. */
    static FileLock lockDir(Path dir) throws IOException {
        FileChannel channel =
                FileChannel.open(
                        dir.resolve("streamwatch.lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new StoreException(
                    "storage.dir "
                            + dir.toAbsolutePath()
                            + " is in use by another Streamwatch process;"
                            + " give each service its own storage.dir",
                    null);
        }
        return lock;
    }

    private static final byte[] SQLITE_HEADER =
            "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * @return whether the store file already exists (then it must be a database to verify)
     */
    static boolean refuseUnreadable(Path file) throws IOException {
        if (!Files.exists(file)) return false;
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        long size = Files.size(file);
        if (size == 0) {
            // A never-checkpointed WAL database can have an empty main file: SQLite reads the WAL.
            if (Files.exists(wal) && Files.size(wal) > 0) return true;
            throw damaged(file, "is empty (0 bytes)", null);
        }
        byte[] head = new byte[SQLITE_HEADER.length];
        int n;
        try (var in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n < head.length || !Arrays.equals(head, SQLITE_HEADER))
            throw damaged(file, "is not an SQLite database", null);
        return true;
    }

    /**
     * A database up to this size is quick-checked whole before the service starts; a larger one has
     * its history tables checked after the start ({@link #checkHistory}), so that a restart does
     * not read gigabytes of history first.
     */
    static final long FULL_CHECK_BYTES = 64L << 20;

    /** The tables that grow with history: checked in the background on a large database. */
    static final List<String> HISTORY_TABLES = List.of("batches", "query_batches");

    /**
     * An existing database must pass SQLite's quick check and hold Streamwatch's schema. On a
     * database over {@link #FULL_CHECK_BYTES}, only the tables other than {@link #HISTORY_TABLES}
     * are checked here.
     *
     * @return whether the history tables are left to {@link #checkHistory}
     */
    static boolean verify(Connection c, Path file) {
        try {
            boolean whole = Files.size(file) <= FULL_CHECK_BYTES;
            List<String> problems = new ArrayList<>();
            if (whole) {
                quickCheck(c, "PRAGMA quick_check", problems);
            } else {
                List<String> tables = new ArrayList<>();
                try (Statement s = c.createStatement();
                        var rs =
                                s.executeQuery(
                                        "SELECT name FROM sqlite_master WHERE type = 'table'")) {
                    while (rs.next()) tables.add(rs.getString(1));
                }
                for (String t : tables) {
                    if (!HISTORY_TABLES.contains(t) && t.matches("[a-z_]+"))
                        quickCheck(c, "PRAGMA quick_check(" + t + ")", problems);
                }
            }
            if (!problems.stream().allMatch("ok"::equals)) {
                throw corrupt(file, problems);
            }
            try (Statement s = c.createStatement();
                    var rs =
                            s.executeQuery(
                                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")) {
                if (!rs.next() || rs.getInt(1) == 0)
                    throw damaged(
                            file,
                            "is an SQLite database without Streamwatch's schema (no schema_version table)",
                            null);
            }
            return !whole;
        } catch (IOException | SQLException e) {
            throw damaged(file, "cannot be read as a database (" + e.getMessage() + ")", e);
        } catch (StoreDamagedException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // reporting the damage
            }
            throw e;
        }
    }

    private static void quickCheck(Connection c, String pragma, List<String> problems)
            throws SQLException {
        try (Statement s = c.createStatement();
                var rs = s.executeQuery(pragma)) {
            while (rs.next()) problems.add(rs.getString(1));
        }
    }

    private static StoreDamagedException corrupt(Path file, List<String> problems) {
        List<String> found = problems.stream().filter(p -> !"ok".equals(p)).toList();
        return damaged(
                file,
                "is corrupt (SQLite quick_check: "
                        + String.join("; ", found.subList(0, Math.min(3, found.size())))
                        + ")",
                null);
    }

    /**
     * The quick check of the history tables of a large database, on a connection of its own.
     *
     * @return null when they are sound, else what is wrong and what to do
     */
    static String checkHistory(Path file) {
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file)) {
            List<String> problems = new ArrayList<>();
            for (String t : HISTORY_TABLES)
                quickCheck(c, "PRAGMA quick_check(" + t + ")", problems);
            return problems.stream().allMatch("ok"::equals)
                    ? null
                    : corrupt(file, problems).getMessage();
        } catch (SQLException e) {
            return damaged(file, "cannot be read as a database (" + e.getMessage() + ")", e)
                    .getMessage();
        }
    }

    private static StoreDamagedException damaged(Path file, String what, Throwable cause) {
        Path f = file.toAbsolutePath();
        return new StoreDamagedException(
                "the state store "
                        + f
                        + " "
                        + what
                        + ". Streamwatch will not start on it: starting empty would forget firing alerts"
                        + " and never send their resolves. Either restore it from a backup (stop the"
                        + " service, copy the backup to "
                        + f
                        + ", delete "
                        + f
                        + "-wal and "
                        + f
                        + "-shm if present), or move it aside to start with an empty store: mv "
                        + f
                        + " "
                        + f
                        + ".broken (and the -wal and -shm files next to it). Then start again. Exit code "
                        + StoreDamagedException.EXIT_CODE
                        + ": restarting will not help until then.",
                cause);
    }
}
