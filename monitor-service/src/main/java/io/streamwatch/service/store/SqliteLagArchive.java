package io.streamwatch.service.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamwatch.service.state.LagArchive;
import io.streamwatch.service.state.LagWindow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LagArchive} in the store's database ({@code lag_history}: one row per group or app,
 * its samples as JSON), on a connection of its own; rewritten after every Kafka poll.
 */
public final class SqliteLagArchive implements LagArchive, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqliteLagArchive.class);
    private static final TypeReference<List<LagWindow.Sample>> SAMPLES = new TypeReference<>() {};
    private final ObjectMapper json = new ObjectMapper();
    private final Connection c;

    private SqliteLagArchive(Connection c) {
        this.c = c;
    }

    /** The archive of an open {@link Store} (whose migrations created the table). */
    public static SqliteLagArchive open(Store store) {
        return open(store.file());
    }

    static SqliteLagArchive open(Path file) {
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=5000");
            }
            return new SqliteLagArchive(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open the Kafka lag history in " + file, e);
        }
    }

    @Override
    public synchronized void save(List<LagWindow> windows) {
        try {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement();
                    PreparedStatement p =
                            c.prepareStatement(
                                    "INSERT INTO lag_history (label, subject, samples) VALUES (?, ?, ?)")) {
                s.execute("DELETE FROM lag_history");
                for (LagWindow w : windows) {
                    p.setString(1, w.label());
                    p.setString(2, w.subject());
                    p.setString(3, json.writeValueAsString(w.samples()));
                    p.addBatch();
                }
                p.executeBatch();
                c.commit();
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new StoreException("cannot store the Kafka lag history: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<LagWindow> load() {
        List<LagWindow> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT label, subject, samples FROM lag_history ORDER BY label, subject")) {
            while (rs.next()) {
                try {
                    out.add(
                            new LagWindow(
                                    rs.getString(1),
                                    rs.getString(2),
                                    json.readValue(rs.getString(3), SAMPLES),
                                    0));
                } catch (JsonProcessingException e) {
                    log.error(
                            "stored Kafka lag of {} '{}' cannot be read ({}); it starts afresh",
                            rs.getString(1),
                            rs.getString(2),
                            e.getOriginalMessage());
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the Kafka lag history: " + e.getMessage(), e);
        }
        return out;
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
