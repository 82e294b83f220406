package io.streamwatch.service.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of {@code query_batches}: one per micro-batch of a Structured Streaming query, keyed by
 * (app, query key, query id, batch id), its body the micro-batch as JSON. Newest means latest
 * progress timestamp.
 */
final class QueryTables {
    private static final String NEWEST =
            "SELECT body FROM query_batches WHERE app = ? AND query = ?"
                    + " ORDER BY timestamp DESC, query_id DESC, batch_id DESC LIMIT ?";

    private QueryTables() {}

    static PreparedStatement insert(Connection c) throws SQLException {
        return c.prepareStatement(
                "INSERT OR IGNORE INTO query_batches VALUES (?, ?, ?, ?, ?, ?, ?)");
    }

    static void bind(PreparedStatement s, QueryRow r) throws SQLException {
        s.setString(1, r.app());
        s.setString(2, r.query());
        s.setString(3, r.queryId());
        s.setLong(4, r.batchId());
        s.setString(5, r.runId());
        s.setLong(6, r.timestamp());
        s.setString(7, r.body());
    }

    /** Deletes the micro-batches of one query ({@code query} non-null) or of a whole app. */
    static void forget(Connection c, String app, String query) throws SQLException {
        try (PreparedStatement d =
                c.prepareStatement(
                        query == null
                                ? "DELETE FROM query_batches WHERE app = ?"
                                : "DELETE FROM query_batches WHERE app = ? AND query = ?")) {
            d.setString(1, app);
            if (query != null) d.setString(2, query);
            d.executeUpdate();
        }
    }

    /** Deletes micro-batches beyond the newest {@code keep} of each query. */
    static void prune(Connection c, int keep) throws SQLException {
        List<String[]> queries = new ArrayList<>();
        try (PreparedStatement s =
                        c.prepareStatement("SELECT DISTINCT app, query FROM query_batches");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) queries.add(new String[] {rs.getString(1), rs.getString(2)});
        }
        try (PreparedStatement d =
                c.prepareStatement(
                        "DELETE FROM query_batches WHERE app = ? AND query = ? AND timestamp <"
                                + " (SELECT timestamp FROM query_batches WHERE app = ? AND query = ?"
                                + " ORDER BY timestamp DESC LIMIT 1 OFFSET ?)")) {
            for (String[] q : queries) {
                d.setString(1, q[0]);
                d.setString(2, q[1]);
                d.setString(3, q[0]);
                d.setString(4, q[1]);
                d.setInt(5, keep - 1);
                d.executeUpdate();
            }
        }
    }

    /** The newest {@code limit} bodies of a query, newest first. */
    static List<String> newest(Connection c, String app, String query, int limit)
            throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(NEWEST)) {
            s.setString(1, app);
            s.setString(2, query);
            s.setInt(3, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * Per app, per query: the newest {@code perQuery} bodies, oldest first. One statement: per
     * query (CROSS JOIN keeps queries the outer loop), an index seek to its n-th newest timestamp,
     * then the range from there.
     */
    static Map<String, Map<String, List<String>>> windows(Connection c, int perQuery)
            throws SQLException {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        try (PreparedStatement s =
                c.prepareStatement(
                        "WITH q AS (SELECT DISTINCT app, query FROM query_batches)"
                                + " SELECT b.app, b.query, b.body FROM q CROSS JOIN query_batches b"
                                + " ON b.app = q.app AND b.query = q.query AND b.timestamp >="
                                + " COALESCE((SELECT n.timestamp FROM query_batches n WHERE n.app = q.app"
                                + " AND n.query = q.query ORDER BY n.timestamp DESC LIMIT 1 OFFSET ?),"
                                + " -9223372036854775808)"
                                + " ORDER BY b.app, b.query, b.timestamp, b.query_id, b.batch_id")) {
            s.setInt(1, perQuery - 1);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), a -> new LinkedHashMap<>())
                            .computeIfAbsent(rs.getString(2), k -> new ArrayList<>())
                            .add(rs.getString(3));
                }
            }
        }
        for (Map<String, List<String>> byQuery : out.values()) {
            for (Map.Entry<String, List<String>> e : byQuery.entrySet()) {
                List<String> bodies = e.getValue();
                if (bodies.size() > perQuery)
                    e.setValue(
                            new ArrayList<>(
                                    bodies.subList(bodies.size() - perQuery, bodies.size())));
            }
        }
        return out;
    }
}
