package io.streamwatch.service.store;

import io.streamwatch.service.store.Store.AlertRow;
import io.streamwatch.service.store.Store.AppBatch;
import io.streamwatch.service.store.Store.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes groups of {@link Change}s inside the store writer's open transaction, through statements
 * prepared once for the writer's connection (preparing them for every group cost as much as the
 * writes of a small group). Used by the writer thread only.
 */
final class GroupWrite implements AutoCloseable {
    private final Connection connection;
    private final PreparedStatement app;
    private final PreparedStatement batch;
    private final PreparedStatement alertUpsert;
    private final PreparedStatement alertDelete;
    private final PreparedStatement forgetApp;
    private final PreparedStatement forgetBatches;
    private final PreparedStatement queryBatch;

    GroupWrite(Connection connection) throws SQLException {
        this.connection = connection;
        this.app =
                connection.prepareStatement(
                        "INSERT INTO apps (app, state) VALUES (?, ?) ON CONFLICT (app) DO UPDATE SET state = excluded.state");
        this.batch =
                connection.prepareStatement(
                        "INSERT OR IGNORE INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.alertUpsert =
                connection.prepareStatement(
                        "INSERT INTO alerts VALUES (?, ?, ?, ?) ON CONFLICT (label, subject, alertname) DO UPDATE SET state = excluded.state");
        this.alertDelete =
                connection.prepareStatement(
                        "DELETE FROM alerts WHERE label = ? AND subject = ? AND alertname = ?");
        this.forgetApp = connection.prepareStatement("DELETE FROM apps WHERE app = ?");
        this.forgetBatches = connection.prepareStatement("DELETE FROM batches WHERE app = ?");
        this.queryBatch = QueryTables.insert(connection);
    }

    void write(List<Change> changes) throws SQLException {
        // what a failed group left queued is not part of this one
        app.clearBatch();
        batch.clearBatch();
        queryBatch.clearBatch();
        // Later changes of the same app overwrite earlier ones: write only the last state
        // per app.
        Map<String, String> lastState = new LinkedHashMap<>();
        for (Change c : changes) {
            if (!c.forgetApps().isEmpty() || !c.forgetQueries().isEmpty()) {
                // what earlier changes of the group added goes first
                batch.executeBatch();
                queryBatch.executeBatch();
            }
            for (String gone : c.forgetApps()) {
                lastState.remove(gone);
                forgetApp.setString(1, gone);
                forgetApp.executeUpdate();
                forgetBatches.setString(1, gone);
                forgetBatches.executeUpdate();
                QueryTables.forget(connection, gone, null);
            }
            for (QueryKey q : c.forgetQueries()) QueryTables.forget(connection, q.app(), q.query());
            for (QueryRow q : c.queryBatches()) {
                QueryTables.bind(queryBatch, q);
                queryBatch.addBatch();
            }
            lastState.putAll(c.apps());
            for (AppBatch b : c.batches()) {
                Tables.bindBatch(batch, b);
                batch.addBatch();
            }
            for (AlertRow a : c.alerts()) {
                if (a.state() == null) {
                    alertDelete.setString(1, a.label());
                    alertDelete.setString(2, a.subject());
                    alertDelete.setString(3, a.alertname());
                    alertDelete.executeUpdate();
                } else {
                    alertUpsert.setString(1, a.label());
                    alertUpsert.setString(2, a.subject());
                    alertUpsert.setString(3, a.alertname());
                    alertUpsert.setString(4, a.state());
                    alertUpsert.executeUpdate();
                }
            }
        }
        for (Map.Entry<String, String> e : lastState.entrySet()) {
            app.setString(1, e.getKey());
            app.setString(2, e.getValue());
            app.addBatch();
        }
        app.executeBatch();
        batch.executeBatch();
        queryBatch.executeBatch();
        for (Change c : changes) {
            if (c.pruneTo() > 0) Tables.prune(connection, c.pruneTo());
            if (c.pruneQueriesTo() > 0) QueryTables.prune(connection, c.pruneQueriesTo());
        }
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement s :
                List.of(
                        app,
                        batch,
                        alertUpsert,
                        alertDelete,
                        forgetApp,
                        forgetBatches,
                        queryBatch)) {
            s.close();
        }
    }
}
