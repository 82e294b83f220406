package io.streamwatch.service.store;

import io.streamwatch.service.state.BatchRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of the store's tables ({@link Migrations} creates them): reading them back, binding
 * batches, pruning.
 */
final class Tables {
    private Tables() {}

    /**
     * Everything stored: app states, the newest {@code batchesPerApp} batches of each app (oldest
     * first), alerts.
     */
    static Store.Snapshot load(Connection connection, int batchesPerApp) throws SQLException {
        Map<String, String> apps = new LinkedHashMap<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT app, state FROM apps ORDER BY app")) {
            while (rs.next()) apps.put(rs.getString(1), rs.getString(2));
        }
        Map<String, List<BatchRecord>> batches = new LinkedHashMap<>();
        for (String app : apps.keySet()) batches.put(app, new ArrayList<>());
        if (batchesPerApp > 0) {
            // One statement for every app: per app (CROSS JOIN keeps apps the outer loop), an index
            // seek to its n-th newest batch time, then the range from there (ties on batch time
            // may add a row; the history drops it).
            try (PreparedStatement q =
                    connection.prepareStatement(
                            "SELECT b.app, "
                                    + COLUMNS
                                    + " FROM apps a CROSS JOIN batches b ON b.app = a.app AND b.batch_time >="
                                    + " COALESCE((SELECT n.batch_time FROM batches n WHERE n.app = a.app"
                                    + " ORDER BY n.batch_time DESC LIMIT 1 OFFSET ?), -9223372036854775808)"
                                    + " ORDER BY b.app, b.batch_time, b.app_id")) {
                q.setInt(1, batchesPerApp - 1);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        List<BatchRecord> list = batches.get(rs.getString(1));
                        if (list != null) list.add(record(rs, 2));
                    }
                }
            }
        }
        return new Store.Snapshot(apps, batches, alerts(connection));
    }

    /** Every stored alert state. */
    static List<Store.AlertRow> alerts(Connection connection) throws SQLException {
        List<Store.AlertRow> alerts = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT label, subject, alertname, state FROM alerts")) {
            while (rs.next())
                alerts.add(
                        new Store.AlertRow(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4)));
        }
        return alerts;
    }

    /** The newest {@code limit} batches of one app, newest first. */
    static List<BatchRecord> newest(Connection connection, String app, int limit)
            throws SQLException {
        List<BatchRecord> out = new ArrayList<>();
        try (PreparedStatement q =
                connection.prepareStatement(
                        "SELECT "
                                + COLUMNS
                                + " FROM batches b WHERE b.app = ? ORDER BY b.batch_time DESC, b.app_id DESC LIMIT ?")) {
            q.setString(1, app);
            q.setInt(2, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) out.add(record(rs, 1));
            }
        }
        return out;
    }

    private static final String COLUMNS =
            "b.app_id, b.batch_time, b.submission_time, b.processing_start_time, b.processing_end_time,"
                    + " b.scheduling_delay_ms, b.processing_time_ms, b.total_delay_ms, b.records, b.failed,"
                    + " b.failure_reason, b.backfilled";

    private static BatchRecord record(ResultSet rs, int first) throws SQLException {
        int i = first;
        return new BatchRecord(
                rs.getString(i),
                rs.getLong(i + 1),
                rs.getLong(i + 2),
                rs.getLong(i + 3),
                rs.getLong(i + 4),
                rs.getLong(i + 5),
                rs.getLong(i + 6),
                rs.getLong(i + 7),
                rs.getLong(i + 8),
                rs.getInt(i + 9) != 0,
                rs.getString(i + 10),
                rs.getInt(i + 11) != 0);
    }

    static void bindBatch(PreparedStatement s, Store.AppBatch ab) throws SQLException {
        BatchRecord b = ab.batch();
        s.setString(1, ab.app());
        s.setString(2, b.appId());
        s.setLong(3, b.batchTime());
        s.setLong(4, b.submissionTime());
        s.setLong(5, b.processingStartTime());
        s.setLong(6, b.processingEndTime());
        s.setLong(7, b.schedulingDelayMs());
        s.setLong(8, b.processingTimeMs());
        s.setLong(9, b.totalDelayMs());
        s.setLong(10, b.records());
        s.setInt(11, b.failed() ? 1 : 0);
        s.setString(12, b.failureReason());
        s.setInt(13, b.backfilled() ? 1 : 0);
    }

    /**
     * Deletes batches beyond the newest {@code keep} of each app (inside the writer's transaction).
     */
    static void prune(Connection connection, int keep) throws SQLException {
        List<String> apps = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT app FROM apps")) {
            while (rs.next()) apps.add(rs.getString(1));
        }
        try (PreparedStatement d =
                connection.prepareStatement(
                        "DELETE FROM batches WHERE app = ? AND batch_time < (SELECT batch_time FROM batches WHERE app = ?"
                                + " ORDER BY batch_time DESC LIMIT 1 OFFSET ?)")) {
            for (String app : apps) {
                d.setString(1, app);
                d.setString(2, app);
                d.setInt(3, keep - 1);
                d.executeUpdate();
            }
        }
    }
}
