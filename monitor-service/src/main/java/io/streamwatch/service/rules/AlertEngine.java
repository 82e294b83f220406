package io.streamwatch.service.rules;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.AlertSink;
import io.streamwatch.service.notify.Transition;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.LagWindow;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every {@link Rule} over each app and turns verdicts into alert transitions:
 * inactive → pending → firing → resolved. An app is evaluated the moment its events are applied
 * ({@link #evaluate(String)}, called on the ingest path) and every second by a timer for the
 * clock-driven rules (silence, stall). Transitions go to the {@link AlertSink}, which returns at
 * once; firing alerts are repeated every {@code resendInterval}.
 */
public final class AlertEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
    private static final int RESOLVED_KEPT = 1000;

    private final List<Rule> rules;
    private final AppRegistry registry;
    private final AlertSink sink;
    private final Clock clock;
    private final long resendMs;
    private final String externalUrl;
    private final int windowSize;
    private final Supplier<List<LagWindow>> lagSource;
    private final KafkaLagGrowing lagRule;
    private final Map<Subject, AppAlerts> apps = new ConcurrentHashMap<>();
    private volatile AlertPersistence persistence = AlertPersistence.none();
    private final Deque<AlertView> resolved = new ArrayDeque<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "streamwatch-rules");
        t.setDaemon(true);
        return t;
    });

    /** What an alert is about: an app ({@code label = "app"}) or a consumer group ({@code "group"}). */
    record Subject(String label, String name) {
        static Subject app(String name) {
            return new Subject("app", name);
        }
    }

    /** The alerts of one subject, by alert name; guarded by the object's lock. */
    private static final class AppAlerts {
        final Map<String, State> byRule = new java.util.HashMap<>();
    }

    private static final class State {
        String status = "inactive";
        String severity;
        Instant since;
        Instant startsAt;
        long lastSentMs;
        Check check;
    }

    public AlertEngine(List<Rule> rules, AppRegistry registry, AlertSink sink, Clock clock, Duration resendInterval,
                       String externalUrl, MeterRegistry meters) {
        this(rules, registry, sink, clock, resendInterval, externalUrl, meters, List::of, null);
    }

    /**
     * @param lagSource recent Kafka lag per app and consumer group, evaluated on the timer
     * @param lagRule   the KafkaLagGrowing rule, or null without Kafka
     */
    public AlertEngine(List<Rule> rules, AppRegistry registry, AlertSink sink, Clock clock, Duration resendInterval,
                       String externalUrl, MeterRegistry meters, Supplier<List<LagWindow>> lagSource, KafkaLagGrowing lagRule) {
        this.rules = List.copyOf(rules);
        this.lagSource = lagSource;
        this.lagRule = lagRule;
        this.registry = registry;
        this.sink = sink;
        this.clock = clock;
        this.resendMs = resendInterval.toMillis();
        this.externalUrl = externalUrl.replaceAll("/+$", "");
        int w = 1;
        for (Rule r : rules) {
            if (r instanceof DelayGrowing d) w = Math.max(w, d.window());
            if (r instanceof BatchTooSlow s) w = Math.max(w, s.consecutive());
        }
        this.windowSize = Math.max(w, 10);
        for (Rule r : rules) firingGauge(meters, r.name(), r.severity());
        if (lagRule != null) firingGauge(meters, KafkaLagGrowing.NAME, KafkaLagGrowing.SEVERITY);
    }

    private void firingGauge(MeterRegistry meters, String name, String severity) {
        Gauge.builder("streamwatch.alerts.firing", () -> count(name, "firing"))
                .tags("alertname", name, "severity", severity)
                .description("Alerts currently firing").register(meters);
    }

    /**
     * Restores stored alert states (firing ones stay firing and are not sent again; their resolve
     * will be) and keeps every transition from now on.
     */
    public void persistTo(AlertPersistence p) {
        for (AlertPersistence.Stored st : p.load()) {
            AppAlerts alerts = apps.computeIfAbsent(new Subject(st.label(), st.subject()), k -> new AppAlerts());
            synchronized (alerts) {
                State s = new State();
                AlertPersistence.PersistedAlert a = st.state();
                s.status = a.status();
                s.severity = a.severity();
                s.since = a.since() == null ? null : Instant.ofEpochMilli(a.since());
                s.startsAt = a.startsAt() == null ? null : Instant.ofEpochMilli(a.startsAt());
                s.lastSentMs = a.lastSentMs();
                s.check = new Check(a.status().equals("firing") ? Verdict.FIRING : Verdict.PENDING, a.summary(), a.description());
                alerts.byRule.put(st.alertname(), s);
            }
        }
        this.persistence = p;
    }

    private void save(Subject subject, String alertname, State s) {
        if (s.status.equals("inactive")) {
            persistence.save(subject.label(), subject.name(), alertname, null);
        } else {
            persistence.save(subject.label(), subject.name(), alertname, new AlertPersistence.PersistedAlert(s.status, s.severity,
                    s.since == null ? null : s.since.toEpochMilli(), s.startsAt == null ? null : s.startsAt.toEpochMilli(),
                    s.lastSentMs, s.check == null ? null : s.check.summary(), s.check == null ? null : s.check.description()));
        }
    }

    public AlertEngine start() {
        timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Evaluates one app now. Cheap; safe to call from any thread. */
    public void evaluate(String app) {
        registry.window(app, windowSize).ifPresent(this::evaluate);
    }

    /** The last {@code n} batches are what the batch rules look at. */
    public int windowSize() {
        return windowSize;
    }

    /** Evaluates every app and repeats firing alerts that are due. */
    public void tick() {
        try {
            Set<Subject> present = new HashSet<>();
            for (AppWindow w : registry.windows(windowSize)) {
                present.add(Subject.app(w.app()));
                evaluate(w);
            }
            if (lagRule != null) {
                for (LagWindow w : lagSource.get()) {
                    Subject subject = new Subject(w.label(), w.subject());
                    present.add(subject);
                    AppAlerts alerts = apps.computeIfAbsent(subject, k -> new AppAlerts());
                    synchronized (alerts) {
                        transition(KafkaLagGrowing.NAME, KafkaLagGrowing.SEVERITY, subject, alerts, lagRule.check(w),
                                Instant.ofEpochMilli(w.now()));
                    }
                }
            }
            for (Subject gone : apps.keySet()) {
                if (!present.contains(gone)) forget(gone);
            }
            repeatDue();
        } catch (RuntimeException e) {
            log.error("alert evaluation failed; will retry in a second", e);
        }
    }

    private void evaluate(AppWindow w) {
        Subject subject = Subject.app(w.app());
        AppAlerts alerts = apps.computeIfAbsent(subject, k -> new AppAlerts());
        synchronized (alerts) {
            Instant now = Instant.ofEpochMilli(w.now());
            for (Rule rule : rules) {
                Check check = w.finished() ? Check.clear() : rule.check(w);
                transition(rule.name(), rule.severity(), subject, alerts, check, now);
            }
        }
    }

    private void transition(String name, String severity, Subject subject, AppAlerts alerts, Check check, Instant now) {
        State s = alerts.byRule.computeIfAbsent(name, k -> new State());
        s.severity = severity;
        switch (check.verdict()) {
            case FIRING -> {
                if (!s.status.equals("firing")) {
                    s.status = "firing";
                    s.startsAt = now;
                    s.check = check;
                    s.lastSentMs = now.toEpochMilli();
                    log.info("FIRING {} for {} '{}': {}", name, subject.label(), subject.name(), check.summary());
                    save(subject, name, s);
                    sink.publish(alert(name, severity, subject, s, null), Transition.FIRING);
                } else {
                    s.check = check; // keep the numbers current for repeats and the API
                }
            }
            case PENDING -> {
                if (s.status.equals("inactive")) {
                    s.status = "pending";
                    s.since = now;
                    s.check = check;
                    save(subject, name, s);
                }
                if (s.status.equals("pending")) s.check = check;
            }
            case CLEAR -> {
                if (s.status.equals("firing")) {
                    log.info("RESOLVED {} for {} '{}' (was: {})", name, subject.label(), subject.name(), s.check.summary());
                    Alert done = alert(name, severity, subject, s, now);
                    sink.publish(done, Transition.RESOLVED);
                    remember(view(name, severity, subject, s, "resolved", now));
                }
                boolean changed = !s.status.equals("inactive");
                s.status = "inactive";
                s.check = null;
                s.startsAt = null;
                if (changed) save(subject, name, s);
            }
            case HOLD -> { }
        }
    }

    private void repeatDue() {
        long nowMs = clock.millis();
        for (Map.Entry<Subject, AppAlerts> e : apps.entrySet()) {
            synchronized (e.getValue()) {
                for (Map.Entry<String, State> a : e.getValue().byRule.entrySet()) {
                    State s = a.getValue();
                    if (s.status.equals("firing") && nowMs - s.lastSentMs >= resendMs) {
                        s.lastSentMs = nowMs;
                        save(e.getKey(), a.getKey(), s);
                        sink.publish(alert(a.getKey(), s.severity, e.getKey(), s, null), Transition.REPEAT);
                    }
                }
            }
        }
    }

    /** A subject that is gone (app forgotten, group no longer polled): resolve what was firing, drop its state. */
    private void forget(Subject subject) {
        AppAlerts alerts = apps.remove(subject);
        if (alerts == null) return;
        synchronized (alerts) {
            Instant now = clock.instant();
            for (Map.Entry<String, State> a : alerts.byRule.entrySet()) {
                if (a.getValue().status.equals("firing")) {
                    sink.publish(alert(a.getKey(), a.getValue().severity, subject, a.getValue(), now), Transition.RESOLVED);
                }
                if (!a.getValue().status.equals("inactive")) persistence.save(subject.label(), subject.name(), a.getKey(), null);
            }
        }
    }

    private Alert alert(String name, String severity, Subject subject, State s, Instant endsAt) {
        String appUrl = subject.label().equals("app")
                ? externalUrl + "/api/v1/apps/" + URLEncoder.encode(subject.name(), StandardCharsets.UTF_8).replace("+", "%20")
                : externalUrl + "/api/v1/alerts?state=all";
        Map<String, String> annotations = new java.util.LinkedHashMap<>();
        annotations.put("summary", s.check.summary());
        if (s.check.description() != null) annotations.put("description", s.check.description());
        annotations.put("runbook_url", runbookUrl(name));
        annotations.put(subject.label().equals("app") ? "app_url" : "alerts_url", appUrl);
        return new Alert(name, subject.name(), severity,
                Map.of("alertname", name, subject.label(), subject.name(), "severity", severity),
                annotations, s.startsAt, endsAt, appUrl);
    }

    private String runbookUrl(String alertname) {
        return externalUrl + "/runbook#" + alertname.toLowerCase(Locale.ROOT);
    }

    private AlertView view(String name, String severity, Subject subject, State s, String state, Instant endsAt) {
        Check c = s.check;
        return new AlertView(name, subject.label(), subject.name(), severity, state,
                state.equals("pending") ? s.since : s.startsAt, endsAt,
                c == null ? null : c.summary(), c == null ? null : c.description(), runbookUrl(name));
    }

    private void remember(AlertView v) {
        synchronized (resolved) {
            resolved.addFirst(v);
            while (resolved.size() > RESOLVED_KEPT) resolved.removeLast();
        }
    }

    private double count(String alertname, String status) {
        int n = 0;
        for (AppAlerts a : apps.values()) {
            synchronized (a) {
                State s = a.byRule.get(alertname);
                if (s != null && s.status.equals(status)) n++;
            }
        }
        return n;
    }

    /** Firing (and, with {@code all}, pending and recently resolved) alerts, newest first. */
    public List<AlertView> alerts(boolean all) {
        List<AlertView> out = new ArrayList<>();
        for (Map.Entry<Subject, AppAlerts> e : apps.entrySet()) {
            synchronized (e.getValue()) {
                for (Map.Entry<String, State> a : e.getValue().byRule.entrySet()) {
                    State s = a.getValue();
                    if (s.status.equals("firing") || (all && s.status.equals("pending"))) {
                        out.add(view(a.getKey(), s.severity, e.getKey(), s, s.status, null));
                    }
                }
            }
        }
        if (all) {
            synchronized (resolved) {
                out.addAll(resolved);
            }
        }
        out.sort(Comparator.comparing(AlertView::startsAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
