package io.streamwatch.service.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.AlertSink;
import io.streamwatch.service.notify.Transition;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The query rules inside the engine: fed by ingested events, as the service runs them. */
class QueryAlertEngineTest {
    private static final String APP = "orders eu";
    private static final String QUERY = "enrich";
    private static final String URL = "http://streamwatch.test:9470";

    private record Sent(Alert alert, Transition transition) {}

    /** Alert states kept in memory, as the store keeps them (label, subject, alertname). */
    private static final class MemoryAlerts implements AlertPersistence {
        final Map<List<String>, PersistedAlert> rows = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Void> save(
                String label, String subject, String alertname, PersistedAlert state) {
            if (state == null) rows.remove(List.of(label, subject, alertname));
            else rows.put(List.of(label, subject, alertname), state);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public List<Stored> load() {
            List<Stored> out = new ArrayList<>();
            rows.forEach((k, v) -> out.add(new Stored(k.get(0), k.get(1), k.get(2), v)));
            return out;
        }
    }

    private final List<Sent> sent = new ArrayList<>();
    private final AlertSink sink = (alert, t) -> sent.add(new Sent(alert, t));
    private final ServiceConfig.Alerting alerting =
            ConfigLoader.load(null, Map.of()).config().alerting();
    private MutableClock clock;
    private AppRegistry registry;
    private EventParser parser;
    private SimpleMeterRegistry meters;
    private AlertEngine engine;
    private String appId;
    private long seq;
    private long batchId;

    @BeforeEach
    void setUp() {
        clock = MutableClock.atSystemTime();
        registry = new AppRegistry(clock, 1000, 100, Duration.ofSeconds(30), Duration.ofHours(1));
        parser = new EventParser(clock, 1000);
        meters = new SimpleMeterRegistry();
        engine = engine();
        appId = "app-1";
        seq = 0;
        batchId = 0;
    }

    private AlertEngine engine() {
        return new AlertEngine(
                BuiltInRules.apps(alerting),
                BuiltInRules.queries(alerting),
                registry,
                sink,
                clock,
                Duration.ofSeconds(60),
                URL,
                meters,
                List::of,
                List.of());
    }

    private void ingest(Events e, int events) {
        seq += events;
        registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
        engine.evaluate(APP);
    }

    private Events events() {
        return Events.from(APP, appId).startingAt(seq + 1);
    }

    private void started(String runId) {
        ingest(
                events().heartbeat(clock.millis())
                        .queryStarted(
                                clock.millis(), "id-1", runId, QUERY, "processingTime", 1000L),
                1);
    }

    /** One micro-batch a second of the given {@code triggerExecution}. */
    private void progress(String runId, long durationMs) {
        clock.advance(Duration.ofSeconds(1));
        long now = clock.millis();
        ingest(
                events().heartbeat(now)
                        .queryProgress(now, "id-1", runId, QUERY, batchId++, now, 10, durationMs),
                1);
    }

    private List<Sent> sentFor(String alertname) {
        return sent.stream().filter(s -> s.alert().name().equals(alertname)).toList();
    }

    /** FIRING and RESOLVED sent for {@code alertname} (Alertmanager's REPEATs left out). */
    private List<Transition> transitions(String alertname) {
        return sentFor(alertname).stream()
                .map(Sent::transition)
                .filter(t -> t != Transition.REPEAT)
                .toList();
    }

    private double firingGauge(String alertname, String severity) {
        return meters.get(MetricCatalogue.ALERTS_FIRING.meterName())
                .tags("alertname", alertname, "severity", severity)
                .gauge()
                .value();
    }

    @Test
    void aSlowQueryFiresWithItsAppAndQueryAndResolvesWhenFastAgain() {
        started("run-1");
        progress("run-1", 400);
        for (int i = 0; i < 3; i++) progress("run-1", 1500);
        assertEquals(List.of(Transition.FIRING), transitions(BatchTooSlow.NAME));
        Alert a = sentFor(BatchTooSlow.NAME).get(0).alert();
        assertEquals(
                Map.of(
                        "alertname",
                        "StreamingBatchTooSlow",
                        "app",
                        APP,
                        "query",
                        QUERY,
                        "severity",
                        "warning"),
                a.labels());
        assertEquals(
                "micro-batch 1.5 s > trigger interval 1.0 s for 3 micro-batches",
                a.annotations().get("summary"));
        assertEquals(URL + "/runbook#streamingbatchtooslow", a.annotations().get("runbook_url"));
        assertEquals(URL + "/apps/orders%20eu#query-enrich", a.annotations().get("query_url"));
        assertEquals(URL + "/api/v1/apps/orders%20eu/queries", a.annotations().get("api_url"));
        assertEquals("streamwatch/StreamingBatchTooSlow/orders eu?query=enrich", a.key());
        assertEquals(1.0, firingGauge("StreamingBatchTooSlow", "warning"));
        AlertView view = engine.alerts(false).get(0);
        assertEquals(APP, view.app());
        assertEquals(QUERY, view.query());

        for (int i = 0; i < 3; i++) progress("run-1", 200);
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED), transitions(BatchTooSlow.NAME));
        Alert resolved = sentFor(BatchTooSlow.NAME).get(1).alert();
        assertEquals(a.key(), resolved.key());
        assertEquals(a.labels(), resolved.labels());
        assertEquals(0.0, firingGauge("StreamingBatchTooSlow", "warning"));
        assertTrue(engine.alerts(false).isEmpty());
        assertEquals(QUERY, engine.alerts(true).get(0).query());
    }

    @Test
    void aRestartedQueryKeepsItsAlert() {
        started("run-1");
        for (int i = 0; i < 3; i++) progress("run-1", 1500);
        started("run-2");
        progress("run-2", 1500);
        progress("run-2", 1500);
        assertEquals(List.of(Transition.FIRING), transitions(BatchTooSlow.NAME), "no second page");
        assertEquals(1, engine.alerts(false).size());
        for (int i = 0; i < 3; i++) progress("run-2", 200);
        List<Sent> slow = sentFor(BatchTooSlow.NAME);
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED), transitions(BatchTooSlow.NAME));
        assertEquals(slow.get(0).alert().key(), slow.get(1).alert().key());
    }

    @Test
    void aQueryAlertIsRestoredAfterARestartAndItsResolveIsSent() {
        MemoryAlerts store = new MemoryAlerts();
        engine.persistTo(store);
        started("run-1");
        for (int i = 0; i < 3; i++) progress("run-1", 1500);
        assertEquals(List.of(Transition.FIRING), transitions(BatchTooSlow.NAME));
        assertTrue(
                store.rows.containsKey(
                        List.of("query", "[\"orders eu\",\"enrich\"]", "StreamingBatchTooSlow")),
                store.rows.keySet().toString());

        engine.close();
        engine = engine(); // the service restarts
        engine.persistTo(store);
        engine.tick();
        assertEquals(1, sent.size(), "a restored firing alert is not sent again: " + sent);
        AlertView restored = engine.alerts(false).get(0);
        assertEquals(QUERY, restored.query());
        assertEquals(AlertStatus.FIRING, restored.state());

        for (int i = 0; i < 3; i++) progress("run-1", 200);
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED), transitions(BatchTooSlow.NAME));
        Alert resolved = sentFor(BatchTooSlow.NAME).get(1).alert();
        assertEquals("streamwatch/StreamingBatchTooSlow/orders eu?query=enrich", resolved.key());
        assertEquals(QUERY, resolved.labels().get("query"));
        assertTrue(store.rows.isEmpty(), store.rows.toString());
    }

    @Test
    void twoQueriesOfOneAppAndTheAppItselfAreThreeAlertsStoredAndRestoredApart() {
        MemoryAlerts store = new MemoryAlerts();
        engine.persistTo(store);
        long t = clock.millis();
        Events e =
                events().streamingStarted(t, 1000)
                        .queryStarted(t, "id-1", "run-1", QUERY, "processingTime", 1000L)
                        .queryStarted(t, "id-2", "run-9", "audit", "processingTime", 1000L);
        for (int i = 0; i < 3; i++) {
            e.completed(t + i * 1000, 0, 1700, 10, null);
            e.queryProgress(t + i * 1000, "id-1", "run-1", QUERY, i, t + i * 1000, 10, 1500);
            e.queryProgress(t + i * 1000, "id-2", "run-9", "audit", i, t + i * 1000, 10, 1600);
        }
        clock.advance(Duration.ofSeconds(5));
        ingest(e, 12);
        assertEquals(3, sentFor(BatchTooSlow.NAME).size(), sent.toString());
        assertEquals(3.0, firingGauge("StreamingBatchTooSlow", "warning"));
        assertEquals(3, store.rows.size(), store.rows.keySet().toString());

        engine.close();
        engine = engine();
        engine.persistTo(store);
        List<String> restored =
                engine.alerts(false).stream().map(v -> v.app() + "/" + v.query()).sorted().toList();
        assertEquals(List.of("orders eu/audit", "orders eu/enrich", "orders eu/null"), restored);
    }

    @Test
    void anAppAlertKeepsItsLabelsKeyAndStoredRow() {
        MemoryAlerts store = new MemoryAlerts();
        engine.persistTo(store);
        long t = clock.millis();
        Events e = events().streamingStarted(t, 1000);
        for (int i = 0; i < 3; i++) e.completed(t + i * 1000, 0, 1700, 10, null);
        clock.advance(Duration.ofSeconds(5));
        ingest(e, 4);
        Alert a = sentFor(BatchTooSlow.NAME).get(0).alert();
        assertEquals(
                Map.of("alertname", "StreamingBatchTooSlow", "app", APP, "severity", "warning"),
                a.labels());
        assertEquals("streamwatch/StreamingBatchTooSlow/orders eu", a.key());
        assertNull(engine.alerts(false).get(0).query());
        assertTrue(store.rows.containsKey(List.of("app", APP, "StreamingBatchTooSlow")));
    }

    @Test
    void aFailedQueryStaysPagedAfterItsAppEndsUntilANewRunProgresses() {
        started("run-1");
        progress("run-1", 200);
        clock.advance(Duration.ofSeconds(1));
        ingest(
                events().queryTerminated(
                                clock.millis(),
                                "id-1",
                                "run-1",
                                QUERY,
                                "org.apache.spark.SparkException: Job aborted\n\tat ...",
                                "SPARK_JOB_ABORTED"),
                1);
        assertEquals(List.of(Transition.FIRING), transitions(QueryFailed.NAME));
        Alert a = sentFor(QueryFailed.NAME).get(0).alert();
        assertEquals("critical", a.severity());
        assertEquals(
                "query failed: [SPARK_JOB_ABORTED] org.apache.spark.SparkException: Job aborted",
                a.annotations().get("summary"));
        assertEquals(1.0, firingGauge("StreamingQueryFailed", "critical"));

        clock.advance(Duration.ofSeconds(1));
        ingest(events().appEnd(clock.millis()), 1); // the driver exits after the failure
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(1));
            engine.tick();
        }
        assertEquals(
                List.of(Transition.FIRING),
                transitions(QueryFailed.NAME),
                "not cleared by the app's end");

        appId = "app-2"; // the app is started again
        seq = 0;
        started("run-2");
        assertEquals(List.of(Transition.FIRING), transitions(QueryFailed.NAME), "no progress yet");
        progress("run-2", 200);
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED), transitions(QueryFailed.NAME));
    }

    @Test
    void theQueriesOfAForgottenAppLoseTheirAlerts() {
        started("run-1");
        clock.advance(Duration.ofSeconds(1));
        ingest(events().queryTerminated(clock.millis(), "id-1", "run-1", QUERY, "boom", null), 1);
        assertEquals(List.of(Transition.FIRING), transitions(QueryFailed.NAME));
        clock.advance(Duration.ofHours(2));
        assertEquals(1, registry.sweep());
        engine.tick();
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED), transitions(QueryFailed.NAME));
    }

    @Test
    void aSilentQueryOfALiveAppIsStalledOnTheTimerAndResolvesAtItsNextProgress() {
        started("run-1");
        progress("run-1", 200);
        for (int i = 0; i < 40; i++) {
            clock.advance(Duration.ofSeconds(1));
            ingest(events().heartbeat(clock.millis()), 0);
            engine.tick();
        }
        assertEquals(List.of(Transition.FIRING), transitions(QueryStalled.NAME));
        assertEquals(APP, sentFor(QueryStalled.NAME).get(0).alert().labels().get("app"));
        progress("run-1", 200);
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED), transitions(QueryStalled.NAME));
    }

    @Test
    void aSlowQueryStoppedAndStartedAgainFromItsCheckpointIsNotResolvedInBetween() {
        started("run-1");
        for (int i = 0; i < 3; i++) progress("run-1", 1500);
        clock.advance(Duration.ofSeconds(1));
        ingest(events().queryTerminated(clock.millis(), "id-1", "run-1", QUERY, null, null), 1);
        for (int i = 0; i < 5; i++) { // a redeploy takes a few seconds
            clock.advance(Duration.ofSeconds(1));
            ingest(events().heartbeat(clock.millis()), 0);
            engine.tick();
        }
        started("run-2");
        for (int i = 0; i < 3; i++) progress("run-2", 1500);
        assertEquals(List.of(Transition.FIRING), transitions(BatchTooSlow.NAME), "no resolve");
        for (int i = 0; i < 3; i++) progress("run-2", 200);
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED), transitions(BatchTooSlow.NAME));
    }

    @Test
    void aSlowQueryThatStaysStoppedHasItsAlertResolvedAfterAppDownAfter() {
        started("run-1");
        for (int i = 0; i < 3; i++) progress("run-1", 1500);
        clock.advance(Duration.ofSeconds(1));
        ingest(events().queryTerminated(clock.millis(), "id-1", "run-1", QUERY, null, null), 1);
        for (int i = 0; i < 25; i++) {
            clock.advance(Duration.ofSeconds(1));
            ingest(events().heartbeat(clock.millis()), 0);
            engine.tick();
        }
        assertEquals(List.of(Transition.FIRING), transitions(BatchTooSlow.NAME), "still held");
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            ingest(events().heartbeat(clock.millis()), 0);
            engine.tick();
        }
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED),
                transitions(BatchTooSlow.NAME),
                "resolved once stopped for longer than appDownAfter (30 s)");
    }
}
