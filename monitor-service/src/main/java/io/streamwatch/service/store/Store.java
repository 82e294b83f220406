package io.streamwatch.service.store;

import io.streamwatch.service.state.BatchRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable state in one SQLite database ({@code storage.dir/streamwatch.db}, WAL mode, fsync on
 * commit). One writer thread applies {@link Change}s with group commit: every change queued while a
 * transaction is in flight goes into the next one, and each caller's future completes only once its
 * change is on disk. That is what lets ingest acknowledge a request only when it is durable. A lock
 * file keeps two services from sharing one directory.
 */
public final class Store implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Store.class);
    private static final int MAX_GROUP = 512;

    private final Path file;
    private final Connection connection;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private volatile String lastError;
    private final Object reads = new Object();
    private Connection reader;
    private volatile boolean closing;
    private volatile boolean historyUnchecked;
    private Thread writer;

    /** The writer thread's prepared statements, made on its first group. */
    private GroupWrite groupWrite;

    /** Runs just before each commit; tests make it fail. */
    volatile Runnable beforeCommit = () -> {};

    private record Pending(Change change, CompletableFuture<Void> done) {}

    /**
     * One atomic unit of persistence. Any part may be empty.
     *
     * @param forgetQueries app and query keys whose micro-batches go (the query was dropped)
     * @param pruneTo when positive, afterwards keep only the newest {@code pruneTo} batches of
     *     every app
     * @param pruneQueriesTo when positive, afterwards keep only the newest {@code pruneQueriesTo}
     *     micro-batches of every query
     */
    public record Change(
            Map<String, String> apps,
            List<AppBatch> batches,
            List<QueryRow> queryBatches,
            List<QueryKey> forgetQueries,
            List<AlertRow> alerts,
            List<String> forgetApps,
            int pruneTo,
            int pruneQueriesTo) {
        public Change {
            apps = Map.copyOf(apps);
            batches = List.copyOf(batches);
            queryBatches = List.copyOf(queryBatches);
            forgetQueries = List.copyOf(forgetQueries);
            alerts = List.copyOf(alerts);
            forgetApps = List.copyOf(forgetApps);
        }

        public static Change app(String app, String state, List<AppBatch> batches) {
            return app(app, state, batches, List.of(), List.of());
        }

        /** The app's state with its new batches and micro-batches, and the queries it dropped. */
        public static Change app(
                String app,
                String state,
                List<AppBatch> batches,
                List<QueryRow> queryBatches,
                List<QueryKey> forgetQueries) {
            return new Change(
                    Map.of(app, state),
                    batches,
                    queryBatches,
                    forgetQueries,
                    List.of(),
                    List.of(),
                    0,
                    0);
        }

        public static Change alert(AlertRow row) {
            return of(List.of(row), List.of(), 0, 0);
        }

        public static Change forget(String app) {
            return of(List.of(), List.of(app), 0, 0);
        }

        /** Keeps the newest batches of each app and the newest micro-batches of each query. */
        public static Change prune(int keepPerApp, int keepPerQuery) {
            return of(List.of(), List.of(), keepPerApp, keepPerQuery);
        }

        private static Change of(
                List<AlertRow> alerts, List<String> forgetApps, int pruneTo, int pruneQueriesTo) {
            return new Change(
                    Map.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    alerts,
                    forgetApps,
                    pruneTo,
                    pruneQueriesTo);
        }
    }

    /** A batch of one app. */
    public record AppBatch(String app, BatchRecord batch) {}

    /** An alert's persisted state (JSON), or null {@code state} to delete it. */
    public record AlertRow(String label, String subject, String alertname, String state) {}

    /** Everything loaded at start. */
    public record Snapshot(
            Map<String, String> apps,
            Map<String, List<BatchRecord>> batches,
            List<AlertRow> alerts) {}

    private Store(Path file, Connection connection, FileChannel lockChannel, FileLock lock) {
        this.file = file;
        this.connection = connection;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating if needed) the store in {@code dir} and migrates its schema. */
    public static Store open(Path dir) {
        Path file = dir.resolve("streamwatch.db");
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            FileLock lock = StoreFile.lockDir(dir);
            channel = lock.channel();
            boolean existed = StoreFile.refuseUnreadable(file);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            boolean historyUnchecked = existed && StoreFile.verify(c, file);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                // 64 MiB of pages (outside the Java heap) instead of SQLite's 2 MB: with thousands
                // of apps each write lands in another part of the history's B-trees, and their
                // inner pages should not be read from the file again for every group.
                s.execute("PRAGMA cache_size=-65536");
            }
            int version = Migrations.migrate(c);
            log.info("state store {} (schema version {})", file.toAbsolutePath(), version);
            Store store = new Store(file, c, channel, lock);
            store.historyUnchecked = historyUnchecked;
            if (historyUnchecked)
                log.info(
                        "state store {} is large: its history tables are checked (SQLite quick_check) in the background once the service is ready",
                        file);
            store.startWriter();
            return store;
        } catch (IOException | SQLException | StoreDamagedException e) {
            try {
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // reporting the first problem
            }
            if (e instanceof StoreDamagedException damaged) throw damaged;
            throw new StoreException(
                    "cannot open the state store in storage.dir "
                            + dir.toAbsolutePath()
                            + ": "
                            + e.getMessage()
                            + " (check that the directory is writable by the service user and the disk is not full)",
                    e);
        }
    }

    /**
     * Quick-checks the history tables of a large database in the background, if {@link #open} left
     * them unchecked (the rest was checked before): damage found there is logged with what to do.
     * Called once the service is ready, so that the check (minutes of reading on a large store)
     * does not compete with loading the state for the disk and the cores.
     */
    public void checkHistoryInBackground() {
        if (!historyUnchecked) return;
        historyUnchecked = false;
        Thread t =
                new Thread(
                        () -> {
                            String damage = StoreFile.checkHistory(file.toAbsolutePath());
                            if (damage == null)
                                log.info("state store {}: history tables checked, sound", file);
                            else log.error("{}", damage);
                        },
                        "streamwatch-store-check");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private void startWriter() {
        writer = new Thread(this::writeLoop, "streamwatch-store");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Queues a change; the future completes once it is committed (or fails with a {@link
     * StoreException}).
     */
    public CompletableFuture<Void> submit(Change change) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new StoreException("the state store is closing", null));
        } else {
            queue.add(new Pending(change, done));
        }
        return done;
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) return;
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            } catch (InterruptedException e) {
                failAll(group, e);
                return;
            } catch (Throwable t) {
                // commit() answers its group itself; this is the last line of defence.
                log.error("state store writer failed unexpectedly; continuing", t);
                failAll(group, t);
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Pending> group) {
        try {
            connection.setAutoCommit(false);
            List<Change> all = new ArrayList<>(group.size());
            for (Pending p : group) all.add(p.change());
            if (groupWrite == null) groupWrite = new GroupWrite(connection);
            groupWrite.write(all);
            beforeCommit.run();
            connection.commit();
            commits.incrementAndGet();
            changes.addAndGet(group.size());
            if (!healthy.getAndSet(true)) log.info("state store {} writes again", file);
            for (Pending p : group) p.done().complete(null);
        } catch (Throwable e) {
            // Whatever went wrong (SQLite, a full disk, a bug), nothing of this group is on disk
            // and every caller hears so: the writer itself goes on with the next group.
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the original failure is what matters
            }
            lastError = String.valueOf(e.getMessage());
            if (healthy.getAndSet(false)) {
                log.error(
                        "state store {} cannot write: {}. Ingest answers 503 until it can; listeners keep their events and retry",
                        file,
                        e.getMessage());
            }
            if (!(e instanceof SQLException))
                log.error("state store commit failed unexpectedly", e);
            failAll(group, e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // next commit reports it
            }
        }
    }

    private void failAll(List<Pending> group, Throwable cause) {
        StoreException failure =
                new StoreException("the state store cannot write: " + cause.getMessage(), cause);
        for (Pending p : group) p.done().completeExceptionally(failure);
    }

    /**
     * Loads everything: app states, the newest {@code batchesPerApp} batches of each app (oldest
     * first), alerts.
     */
    public synchronized Snapshot load(int batchesPerApp) {
        try {
            return Tables.load(connection, batchesPerApp);
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot read the state store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest stored micro-batches (JSON) of each query, by app and query key, oldest first.
     * Read on the reading connection, so that it can run while {@link #load} runs.
     */
    public Map<String, Map<String, List<String>>> loadQueryWindows(int perQuery) {
        return read(r -> QueryTables.windows(r, perQuery));
    }

    /** Every stored alert state. */
    public synchronized List<AlertRow> alerts() {
        try {
            return Tables.alerts(connection);
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot read the state store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest {@code limit} micro-batches (JSON) of a query, newest first, as committed. Read on
     * a connection of its own, so that readers never wait for the writer's transaction.
     */
    public List<String> queryBatches(String app, String query, int limit) {
        return read(r -> QueryTables.newest(r, app, query, limit));
    }

    /**
     * The newest {@code limit} batches of an app, newest first, as committed (like queryBatches).
     */
    public List<BatchRecord> batches(String app, int limit) {
        return read(r -> Tables.newest(r, app, limit));
    }

    private interface Read<T> {
        T from(Connection reader) throws SQLException;
    }

    private <T> T read(Read<T> read) {
        synchronized (reads) {
            try {
                if (reader == null)
                    reader = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                return read.from(reader);
            } catch (SQLException e) {
                throw new StoreException(
                        "cannot read the state store " + file + ": " + e.getMessage(), e);
            }
        }
    }

    public boolean healthy() {
        return healthy.get();
    }

    public String lastError() {
        return lastError;
    }

    public long commits() {
        return commits.get();
    }

    public long changes() {
        return changes.get();
    }

    public Path file() {
        return file;
    }

    /** Commits what is queued, then closes the database and releases the directory lock. */
    @Override
    public void close() {
        closing = true;
        try {
            if (writer != null) writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.done()
                    .completeExceptionally(
                            new StoreException(
                                    "the state store closed before this change was written", null));
        }
        try {
            synchronized (reads) {
                if (reader != null) reader.close();
            }
            if (groupWrite != null) groupWrite.close();
            connection.close();
        } catch (SQLException e) {
            log.warn("closing the state store: {}", e.getMessage());
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("releasing the storage.dir lock: {}", e.getMessage());
        }
    }
}
