package io.streamwatch.service.rules;

import io.streamwatch.service.notify.AlertRenderer;
import io.streamwatch.service.notify.AlertSink;
import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.notify.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert state of every subject, and the effects of each {@link AlertMachine} step: the state is
 * kept, stored when the step says so, and what the step announces is rendered and handed to the
 * sink (and logged, and kept in the resolved history, when a rule made it). The alerts of one
 * subject change under that subject's lock.
 */
final class AlertBook {
    /** Under the engine's name: operators grep for it. */
    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);

    private static final long STORE_WAIT_SECONDS = 10;

    /** What one rule concluded about a subject. */
    record Look(String alertname, Severity severity, Check check) {}

    /**
     * The alerts of one subject that are not inactive, by alert name; guarded by the object's lock.
     */
    private static final class SubjectAlerts {
        final Map<String, AlertState> byName = new HashMap<>();
    }

    private final AlertMachine machine;
    private final AlertSink sink;
    private final AlertRenderer renderer;
    private final StoredAlerts store = new StoredAlerts();
    private final ResolvedHistory resolved = new ResolvedHistory();
    private final Map<Subject, SubjectAlerts> subjects = new ConcurrentHashMap<>();

    AlertBook(AlertMachine machine, AlertSink sink, AlertRenderer renderer) {
        this.machine = machine;
        this.sink = sink;
        this.renderer = renderer;
    }

    /**
     * Restores stored states (firing ones stay firing and are not announced again) and stores every
     * change from now on.
     */
    void persistTo(AlertPersistence p) {
        for (StoredAlerts.Entry e : store.load(p)) {
            SubjectAlerts alerts = subjects.computeIfAbsent(e.subject(), k -> new SubjectAlerts());
            synchronized (alerts) {
                alerts.byName.put(e.alertname(), e.state());
            }
        }
        store.persistTo(p);
    }

    void apply(Subject subject, Instant now, List<Look> looks) {
        SubjectAlerts alerts = subjects.computeIfAbsent(subject, k -> new SubjectAlerts());
        synchronized (alerts) {
            for (Look look : looks) {
                AlertState current =
                        alerts.byName.getOrDefault(
                                look.alertname(), AlertState.inactive(look.severity()));
                record(
                        subject,
                        look.alertname(),
                        alerts,
                        machine.next(current, look.severity(), look.check(), now),
                        true);
            }
        }
    }

    /** Announces again every firing alert whose resend interval has passed. */
    void repeatDue(Instant now) {
        for (Map.Entry<Subject, SubjectAlerts> e : subjects.entrySet()) {
            SubjectAlerts alerts = e.getValue();
            synchronized (alerts) {
                for (Map.Entry<String, AlertState> a : List.copyOf(alerts.byName.entrySet())) {
                    record(
                            e.getKey(),
                            a.getKey(),
                            alerts,
                            machine.repeat(a.getValue(), now),
                            false);
                }
            }
        }
    }

    /**
     * Subjects not in {@code present} are gone: what fired for them resolves, and their states are
     * dropped.
     */
    void forgetAllBut(Set<Subject> present, Instant now) {
        for (Subject subject : subjects.keySet()) {
            if (present.contains(subject)) continue;
            SubjectAlerts alerts = subjects.remove(subject);
            if (alerts == null) continue;
            synchronized (alerts) {
                for (Map.Entry<String, AlertState> a : List.copyOf(alerts.byName.entrySet())) {
                    record(subject, a.getKey(), alerts, machine.forget(a.getValue(), now), false);
                }
            }
        }
    }

    private void record(
            Subject subject,
            String alertname,
            SubjectAlerts alerts,
            AlertMachine.Step step,
            boolean byRule) {
        AlertState s = step.state();
        if (s.is(AlertStatus.INACTIVE)) alerts.byName.remove(alertname);
        else alerts.byName.put(alertname, s);
        CompletableFuture<Void> saved =
                step.store()
                        ? store.save(subject, alertname, s)
                        : CompletableFuture.completedFuture(null);
        AlertMachine.Notice n = step.notice();
        if (n == null) return;
        awaitStored(saved, subject, alertname);
        AlertState a = n.alert();
        if (byRule && n.transition() == Transition.FIRING) {
            log.info("FIRING {} for {}: {}", alertname, subject.describe(), a.summary());
        } else if (byRule && n.transition() == Transition.RESOLVED) {
            log.info("RESOLVED {} for {} (was: {})", alertname, subject.describe(), a.summary());
        }
        sink.publish(
                renderer.alert(
                        alertname,
                        a.severity(),
                        subject.label(),
                        subject.name(),
                        subject.query(),
                        a.summary(),
                        a.description(),
                        a.startsAt(),
                        n.endsAt()),
                n.transition());
        if (byRule && n.transition() == Transition.RESOLVED) {
            resolved.add(
                    AlertView.of(
                            subject,
                            alertname,
                            a,
                            AlertStatus.RESOLVED,
                            n.endsAt(),
                            renderer.runbookUrl(alertname)));
        }
    }

    /**
     * A page goes out only once the alert's new state is on disk, so a crash in between cannot send
     * it twice (or lose its resolve). Only transitions wait, which are rare. If the store cannot
     * write, the page still goes out: a possible repeat after a crash beats a lost page.
     */
    private static void awaitStored(CompletableFuture<Void> saved, Subject subject, String name) {
        try {
            saved.get(STORE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn(
                    "alert {} for {} is sent although its state could not be stored ({})",
                    name,
                    subject.describe(),
                    e instanceof ExecutionException ? e.getCause().getMessage() : "timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many subjects {@code alertname} fires for. */
    int firing(String alertname) {
        int n = 0;
        for (SubjectAlerts alerts : subjects.values()) {
            synchronized (alerts) {
                AlertState s = alerts.byName.get(alertname);
                if (s != null && s.is(AlertStatus.FIRING)) n++;
            }
        }
        return n;
    }

    /** Firing (and, with {@code all}, pending and recently resolved) alerts, newest first. */
    List<AlertView> views(boolean all) {
        List<AlertView> out = new ArrayList<>();
        for (Map.Entry<Subject, SubjectAlerts> e : subjects.entrySet()) {
            synchronized (e.getValue()) {
                e.getValue()
                        .byName
                        .forEach(
                                (name, s) -> {
                                    if (s.is(AlertStatus.FIRING)
                                            || (all && s.is(AlertStatus.PENDING))) {
                                        out.add(
                                                AlertView.of(
                                                        e.getKey(),
                                                        name,
                                                        s,
                                                        s.status(),
                                                        null,
                                                        renderer.runbookUrl(name)));
                                    }
                                });
            }
        }
        if (all) out.addAll(resolved.list());
        out.sort(
                Comparator.comparing(
                        AlertView::startsAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return out;
    }
}
