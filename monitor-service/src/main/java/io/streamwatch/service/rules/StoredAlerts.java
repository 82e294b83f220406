package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert states in and out of an {@link AlertPersistence}: pending and firing alerts are stored, an
 * alert that becomes inactive is deleted. Statuses and severities are stored lower-case.
 */
final class StoredAlerts {
    private static final Logger log = LoggerFactory.getLogger(StoredAlerts.class);

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
                                new Subject(st.label(), st.subject()),
                                st.alertname(),
                                state(st.state())));
            } catch (IllegalArgumentException | NullPointerException e) {
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
                subject.label(),
                subject.name(),
                alertname,
                s.is(AlertStatus.INACTIVE) ? null : persisted(s));
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
