package io.streamwatch.service.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.streamwatch.service.notify.Severity;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert states in and out of an {@link AlertPersistence}: pending and firing alerts are stored, an
 * alert that becomes inactive is deleted. Statuses and severities are stored lower-case. An app's
 * or a group's alert is stored under its label and name; a query's under the label {@value
 * #QUERY_LABEL} and the JSON array {@code ["<app>","<query>"]}, so it can neither meet an app's
 * alert nor another query's.
 */
final class StoredAlerts {
    private static final Logger log = LoggerFactory.getLogger(StoredAlerts.class);
    static final String QUERY_LABEL = "query";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One alert read back from the store. */
    record Entry(Subject subject, String alertname, AlertState state) {}

    private volatile AlertPersistence persistence = AlertPersistence.none();

    /** Keeps every change from now on in {@code p}. */
    void persistTo(AlertPersistence p) {
        this.persistence = p;
    }

    List<Entry> load(AlertPersistence p) {
        List<Entry> out = new ArrayList<>();
        for (AlertPersistence.Stored st : p.load()) {
            try {
                out.add(
                        new Entry(
                                subject(st.label(), st.subject()),
                                st.alertname(),
                                state(st.state())));
            } catch (IllegalArgumentException | NullPointerException | IOException e) {
                log.error(
                        "stored alert {} of {} '{}' cannot be read ({}); dropped",
                        st.alertname(),
                        st.label(),
                        st.subject(),
                        e.getMessage());
            }
        }
        return out;
    }

    /**
     * @return completes once the state is on disk
     */
    CompletableFuture<Void> save(Subject subject, String alertname, AlertState s) {
        return persistence.save(
                subject.query() == null ? subject.label() : QUERY_LABEL,
                subject.query() == null ? subject.name() : queryKey(subject),
                alertname,
                s.is(AlertStatus.INACTIVE) ? null : persisted(s));
    }

    private static String queryKey(Subject s) {
        ArrayNode key = JSON.createArrayNode().add(s.name()).add(s.query());
        return key.toString();
    }

    private static Subject subject(String label, String stored) throws IOException {
        if (!label.equals(QUERY_LABEL)) return new Subject(label, stored);
        JsonNode key = JSON.readTree(stored);
        if (key == null
                || !key.isArray()
                || key.size() != 2
                || !key.get(0).isTextual()
                || !key.get(1).isTextual())
            throw new IllegalArgumentException("not [\"<app>\",\"<query>\"]: " + stored);
        return Subject.query(key.get(0).asText(), key.get(1).asText());
    }

    static AlertPersistence.PersistedAlert persisted(AlertState s) {
        return new AlertPersistence.PersistedAlert(
                s.status().label(),
                s.severity().label(),
                millis(s.since()),
                millis(s.startsAt()),
                s.lastSentMs(),
                s.summary(),
                s.description());
    }

    static AlertState state(AlertPersistence.PersistedAlert a) {
        return new AlertState(
                AlertStatus.of(a.status()),
                Severity.of(a.severity()),
                instant(a.since()),
                instant(a.startsAt()),
                a.lastSentMs(),
                a.summary(),
                a.description());
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }
}
