package io.streamwatch.service.rules;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.AlertSink;
import io.streamwatch.service.notify.Transition;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppWindow;
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
    private final Map<String, AppAlerts> apps = new ConcurrentHashMap<>();
    private final Deque<AlertView> resolved = new ArrayDeque<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "streamwatch-rules");
        t.setDaemon(true);
        return t;
    });

    /** The alerts of one app, by rule name; guarded by the object's lock. */
    private static final class AppAlerts {
        final Map<String, State> byRule = new java.util.HashMap<>();
    }

    private static final class State {
        String status = "inactive";
        Instant since;
        Instant startsAt;
        long lastSentMs;
        Check check;
    }

    public AlertEngine(List<Rule> rules, AppRegistry registry, AlertSink sink, Clock clock, Duration resendInterval,
                       String externalUrl, MeterRegistry meters) {
        this.rules = List.copyOf(rules);
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
        for (Rule r : rules) {
            Gauge.builder("streamwatch.alerts.firing", () -> count(r.name(), "firing"))
                    .tags("alertname", r.name(), "severity", r.severity())
                    .description("Alerts currently firing").register(meters);
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

    /** Evaluates every app and repeats firing alerts that are due. */
    public void tick() {
        try {
            Set<String> present = new HashSet<>();
            for (AppWindow w : registry.windows(windowSize)) {
                present.add(w.app());
                evaluate(w);
            }
            for (String gone : apps.keySet()) {
                if (!present.contains(gone)) forget(gone);
            }
            repeatDue();
        } catch (RuntimeException e) {
            log.error("alert evaluation failed; will retry in a second", e);
        }
    }

    private void evaluate(AppWindow w) {
        AppAlerts alerts = apps.computeIfAbsent(w.app(), k -> new AppAlerts());
        synchronized (alerts) {
            Instant now = Instant.ofEpochMilli(w.now());
            for (Rule rule : rules) {
                Check check = w.finished() ? Check.clear() : rule.check(w);
                State s = alerts.byRule.computeIfAbsent(rule.name(), k -> new State());
                transition(rule, w.app(), s, check, now);
            }
        }
    }

    private void transition(Rule rule, String app, State s, Check check, Instant now) {
        switch (check.verdict()) {
            case FIRING -> {
                if (!s.status.equals("firing")) {
                    s.status = "firing";
                    s.startsAt = now;
                    s.check = check;
                    s.lastSentMs = now.toEpochMilli();
                    log.info("FIRING {} for app '{}': {}", rule.name(), app, check.summary());
                    sink.publish(alert(rule, app, s, null), Transition.FIRING);
                } else {
                    s.check = check; // keep the numbers current for repeats and the API
                }
            }
            case PENDING -> {
                if (s.status.equals("inactive")) {
                    s.status = "pending";
                    s.since = now;
                }
                if (s.status.equals("pending")) s.check = check;
            }
            case CLEAR -> {
                if (s.status.equals("firing")) {
                    log.info("RESOLVED {} for app '{}' (was: {})", rule.name(), app, s.check.summary());
                    Alert done = alert(rule, app, s, now);
                    sink.publish(done, Transition.RESOLVED);
                    remember(view(rule, app, s, "resolved", now));
                }
                s.status = "inactive";
                s.check = null;
                s.startsAt = null;
            }
            case HOLD -> { }
        }
    }

    private void repeatDue() {
        long nowMs = clock.millis();
        for (Map.Entry<String, AppAlerts> e : apps.entrySet()) {
            synchronized (e.getValue()) {
                for (Rule rule : rules) {
                    State s = e.getValue().byRule.get(rule.name());
                    if (s != null && s.status.equals("firing") && nowMs - s.lastSentMs >= resendMs) {
                        s.lastSentMs = nowMs;
                        sink.publish(alert(rule, e.getKey(), s, null), Transition.REPEAT);
                    }
                }
            }
        }
    }

    /** An app the registry no longer knows: resolve what was firing and drop its state. */
    private void forget(String app) {
        AppAlerts alerts = apps.remove(app);
        if (alerts == null) return;
        synchronized (alerts) {
            Instant now = clock.instant();
            for (Rule rule : rules) {
                State s = alerts.byRule.get(rule.name());
                if (s != null && s.status.equals("firing")) {
                    sink.publish(alert(rule, app, s, now), Transition.RESOLVED);
                }
            }
        }
    }

    private Alert alert(Rule rule, String app, State s, Instant endsAt) {
        String appUrl = externalUrl + "/api/v1/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8).replace("+", "%20");
        Map<String, String> annotations = new java.util.LinkedHashMap<>();
        annotations.put("summary", s.check.summary());
        if (s.check.description() != null) annotations.put("description", s.check.description());
        annotations.put("runbook_url", runbookUrl(rule.name()));
        annotations.put("app_url", appUrl);
        return new Alert(rule.name(), app, rule.severity(),
                Map.of("alertname", rule.name(), "app", app, "severity", rule.severity()),
                annotations, s.startsAt, endsAt, appUrl);
    }

    private String runbookUrl(String alertname) {
        return externalUrl + "/runbook#" + alertname.toLowerCase(Locale.ROOT);
    }

    private AlertView view(Rule rule, String app, State s, String state, Instant endsAt) {
        Check c = s.check;
        return new AlertView(rule.name(), app, rule.severity(), state, state.equals("pending") ? s.since : s.startsAt, endsAt,
                c == null ? null : c.summary(), c == null ? null : c.description(), runbookUrl(rule.name()));
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
        for (Map.Entry<String, AppAlerts> e : apps.entrySet()) {
            synchronized (e.getValue()) {
                for (Rule rule : rules) {
                    State s = e.getValue().byRule.get(rule.name());
                    if (s == null) continue;
                    if (s.status.equals("firing") || (all && s.status.equals("pending"))) {
                        out.add(view(rule, e.getKey(), s, s.status, null));
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
