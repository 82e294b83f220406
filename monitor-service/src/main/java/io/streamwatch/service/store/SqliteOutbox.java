package io.streamwatch.service.store;

import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.AlertCodec;
import io.streamwatch.service.notify.Outbox;
import io.streamwatch.service.notify.Transition;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The {@link Outbox} in the store's database ({@code outbox} table), on a connection of its own, so
 * that a notification is durable before {@link #add} returns, whatever the store's writer is doing.
 * Each call is one short transaction.
 */
public final class SqliteOutbox implements Outbox, AutoCloseable {
    private final Connection c;

    private SqliteOutbox(Connection c) {
        this.c = c;
    }

    /** Opens the outbox of an open {@link Store} (whose migrations created the table). */
    public static SqliteOutbox open(Store store) {
        return open(store.file());
    }

    static SqliteOutbox open(Path file) {
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
            }
            return new SqliteOutbox(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open the notification outbox in " + file, e);
        }
    }

    @Override
    public synchronized int add(
            String receiver, Alert alert, Transition transition, long nowMs, int cap) {
        try {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement p =
                        c.prepareStatement(
                                "INSERT INTO outbox (receiver, alert_key, transition, payload, created_at)"
                                        + " VALUES (?, ?, ?, ?, ?)")) {
                    p.setString(1, receiver);
                    p.setString(2, alert.key());
                    p.setString(3, transition.name());
                    p.setString(4, AlertCodec.write(alert));
                    p.setLong(5, nowMs);
                    p.executeUpdate();
                }
                int dropped = 0;
                for (long over = count(receiver) - cap; over > 0; over--) {
                    Long victim = victim(receiver);
                    if (victim == null) break; // only RESOLVED left: they all stay
                    removeRow(victim);
                    dropped++;
                }
                c.commit();
                return dropped;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store a notification: " + e.getMessage(), e);
        }
    }

    private long count(String receiver) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("SELECT COUNT(*) FROM outbox WHERE receiver = ?")) {
            p.setString(1, receiver);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * The FIRING or REPEAT entry to drop: the oldest one a newer entry of the same alert
     * supersedes, else the oldest one. Never a RESOLVED.
     */
    private Long victim(String receiver) throws SQLException {
        String superseded =
                "SELECT o.id FROM outbox o WHERE o.receiver = ? AND o.transition <> 'RESOLVED'"
                        + " AND EXISTS (SELECT 1 FROM outbox n WHERE n.receiver = o.receiver"
                        + " AND n.alert_key = o.alert_key AND n.id > o.id) ORDER BY o.id LIMIT 1";
        String oldest =
                "SELECT id FROM outbox WHERE receiver = ? AND transition <> 'RESOLVED' ORDER BY id LIMIT 1";
        for (String sql : new String[] {superseded, oldest}) {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, receiver);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) return rs.getLong(1);
                }
            }
        }
        return null;
    }

    @Override
    public synchronized Optional<Entry> oldest(String receiver) {
        try (PreparedStatement p =
                c.prepareStatement(
                        "SELECT id, alert_key, transition, payload, created_at FROM outbox"
                                + " WHERE receiver = ? ORDER BY id LIMIT 1")) {
            p.setString(1, receiver);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(
                        new Entry(
                                rs.getLong(1),
                                receiver,
                                rs.getString(2),
                                Transition.valueOf(rs.getString(3)),
                                rs.getString(4),
                                rs.getLong(5)));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the notification outbox: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void remove(long id) {
        try {
            removeRow(id);
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot remove a delivered notification: " + e.getMessage(), e);
        }
    }

    private void removeRow(long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM outbox WHERE id = ?")) {
            p.setLong(1, id);
            p.executeUpdate();
        }
    }

    @Override
    public synchronized Depth depth(String receiver) {
        try (PreparedStatement p =
                c.prepareStatement(
                        "SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM outbox WHERE receiver = ?")) {
            p.setString(1, receiver);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? new Depth(rs.getLong(1), rs.getLong(2)) : new Depth(0, 0);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the notification outbox: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing to do about it
        }
    }
}
