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

    /** An existing database must pass SQLite's quick check and hold Streamwatch's schema. */
    static void verify(Connection c, Path file) {
        try {
            List<String> problems = new ArrayList<>();
            try (Statement s = c.createStatement();
                    var rs = s.executeQuery("PRAGMA quick_check")) {
                while (rs.next()) problems.add(rs.getString(1));
            }
            if (!problems.equals(List.of("ok"))) {
                throw damaged(
                        file,
                        "is corrupt (SQLite quick_check: "
                                + String.join(
                                        "; ", problems.subList(0, Math.min(3, problems.size())))
                                + ")",
                        null);
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
        } catch (SQLException e) {
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
