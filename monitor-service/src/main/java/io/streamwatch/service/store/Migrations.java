package io.streamwatch.service.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema. Each step runs once, in order, in its own transaction; {@code schema_version}
 * records how far a database has come. Never edit a released step: add a new one.
 */
final class Migrations {
    static final List<String[]> STEPS =
            List.<String[]>of(
                    new String[] {
                        "CREATE TABLE apps (app TEXT PRIMARY KEY, state TEXT NOT NULL)",
                        "CREATE TABLE batches (app TEXT NOT NULL, app_id TEXT NOT NULL, batch_time INTEGER NOT NULL,"
                                + " submission_time INTEGER NOT NULL, processing_start_time INTEGER NOT NULL,"
                                + " processing_end_time INTEGER NOT NULL, scheduling_delay_ms INTEGER NOT NULL,"
                                + " processing_time_ms INTEGER NOT NULL, total_delay_ms INTEGER NOT NULL, records INTEGER NOT NULL,"
                                + " failed INTEGER NOT NULL, failure_reason TEXT, backfilled INTEGER NOT NULL,"
                                + " PRIMARY KEY (app, app_id, batch_time)) WITHOUT ROWID",
                        "CREATE INDEX batches_by_time ON batches (app, batch_time)",
                        "CREATE TABLE alerts (label TEXT NOT NULL, subject TEXT NOT NULL, alertname TEXT NOT NULL, state TEXT NOT NULL,"
                                + " PRIMARY KEY (label, subject, alertname))"
                    },
                    // Notifications waiting for webhook and PagerDuty receivers (Outbox), and the
                    // recent Kafka lag samples of consumer groups and apps (LagArchive).
                    new String[] {
                        "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, receiver TEXT NOT NULL,"
                                + " alert_key TEXT NOT NULL, transition TEXT NOT NULL, payload TEXT NOT NULL,"
                                + " created_at INTEGER NOT NULL)",
                        "CREATE INDEX outbox_by_receiver ON outbox (receiver, id)",
                        "CREATE TABLE lag_history (label TEXT NOT NULL, subject TEXT NOT NULL, samples TEXT NOT NULL,"
                                + " PRIMARY KEY (label, subject))"
                    },
                    // Micro-batches of Structured Streaming queries, each once (QueryTables).
                    new String[] {
                        "CREATE TABLE query_batches (app TEXT NOT NULL, query TEXT NOT NULL, query_id TEXT NOT NULL,"
                                + " batch_id INTEGER NOT NULL, run_id TEXT NOT NULL, timestamp INTEGER NOT NULL,"
                                + " body TEXT NOT NULL, PRIMARY KEY (app, query, query_id, batch_id)) WITHOUT ROWID",
                        "CREATE INDEX query_batches_by_time ON query_batches (app, query, timestamp)"
                    });

    private Migrations() {}

    /**
     * @return the schema version after migrating
     */
    static int migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        }
        int version = 0;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            if (rs.next()) version = rs.getInt(1);
        }
        if (version > STEPS.size()) {
            // Like a damaged file, a restart cannot help: exit 78 so that no supervisor loops.
            throw new StoreDamagedException(
                    "the database has schema version "
                            + version
                            + " but this Streamwatch knows only up to "
                            + STEPS.size()
                            + "; it was written by a newer release. Run that release, or restore a"
                            + " backup taken before the upgrade",
                    null);
        }
        for (int v = version; v < STEPS.size(); v++) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : STEPS.get(v)) s.execute(sql);
                s.execute("INSERT INTO schema_version (version) VALUES (" + (v + 1) + ")");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return STEPS.size();
    }
}
