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
        try (PreparedStatement q =
                connection.prepareStatement(
                        "SELECT * FROM (SELECT app_id, batch_time, submission_time, processing_start_time, processing_end_time,"
                                + " scheduling_delay_ms, processing_time_ms, total_delay_ms, records, failed, failure_reason, backfilled"
                                + " FROM batches WHERE app = ? ORDER BY batch_time DESC, app_id DESC LIMIT ?) ORDER BY batch_time, app_id")) {
            for (String app : apps.keySet()) {
                q.setString(1, app);
                q.setInt(2, batchesPerApp);
                List<BatchRecord> list = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        list.add(
                                new BatchRecord(
                                        rs.getString(1),
                                        rs.getLong(2),
                                        rs.getLong(3),
                                        rs.getLong(4),
                                        rs.getLong(5),
                                        rs.getLong(6),
                                        rs.getLong(7),
                                        rs.getLong(8),
                                        rs.getLong(9),
                                        rs.getInt(10) != 0,
                                        rs.getString(11),
                                        rs.getInt(12) != 0));
                    }
                }
                batches.put(app, list);
            }
        }
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
        return new Store.Snapshot(apps, batches, alerts);
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
