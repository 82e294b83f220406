package io.streamwatch.service.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.AlertSink;
import io.streamwatch.service.notify.Transition;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertEngineTest {
    private static final long SEC = 1000;

    private record Sent(Alert alert, Transition transition) {}

    private final List<Sent> sent = new ArrayList<>();
    private final AlertSink sink = (alert, t) -> sent.add(new Sent(alert, t));
    private MutableClock clock;
    private AppRegistry registry;
    private EventParser parser;
    private SimpleMeterRegistry meters;
    private AlertEngine engine;
    private long batchTime;
    private long seq;

    @BeforeEach
    void setUp() {
        clock = MutableClock.atSystemTime();
        registry = new AppRegistry(clock, 1000, 100, Duration.ofSeconds(30), Duration.ofDays(7));
        parser = new EventParser(clock, 1000);
        meters = new SimpleMeterRegistry();
        engine =
                new AlertEngine(
                        io.streamwatch.service.StreamwatchServiceRules.defaults(),
                        registry,
                        sink,
                        clock,
                        Duration.ofSeconds(60),
                        "http://streamwatch.test:9470",
                        meters);
        batchTime = clock.millis();
        seq = 0;
    }

    private void ingest(Events e) {
        registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
        engine.evaluate("orders eu");
    }

    private Events events() {
        Events e = Events.from("orders eu", "app-1").startingAt(seq + 1);
        return e;
    }

    /** One completed batch with the given processing time, queued as Spark would (1 s interval). */
    private void batch(long processingMs) {
        Events e = events();
        if (seq == 0) {
            e.streamingStarted(batchTime, SEC);
            seq++;
        }
        clock.advance(Duration.ofMillis(SEC));
        e.completed(batchTime, 0, processingMs, 10, null);
        seq++;
        batchTime += SEC;
        ingest(e);
    }

    private List<Sent> sentFor(String alertname) {
        return sent.stream().filter(s -> s.alert().name().equals(alertname)).toList();
    }

    @Test
    void slowBatchesGoPendingThenFireOnceWithTheNumbers() {
        batch(400);
        batch(1700);
        assertEquals(AlertStatus.PENDING, engine.alerts(true).get(0).state());
        assertTrue(engine.alerts(false).isEmpty(), "pending is not firing");
        batch(1700);
        batch(1700);
        batch(1700);
        List<Sent> slow = sentFor(BatchTooSlow.NAME);
        assertEquals(1, slow.size(), "one page, not one per slow batch");
        Alert a = slow.get(0).alert();
        assertEquals(Transition.FIRING, slow.get(0).transition());
        assertTrue(a.firing());
        assertEquals("StreamingBatchTooSlow", a.labels().get("alertname"));
        assertEquals("orders eu", a.labels().get("app"));
        assertEquals("warning", a.labels().get("severity"));
        assertEquals(
                "processing 1.7 s > interval 1.0 s for 3 batches", a.annotations().get("summary"));
        assertEquals(
                "http://streamwatch.test:9470/runbook#streamingbatchtooslow",
                a.annotations().get("runbook_url"));
        assertEquals(
                "http://streamwatch.test:9470/apps/orders%20eu", a.annotations().get("app_url"));
        assertEquals(
                "http://streamwatch.test:9470/api/v1/apps/orders%20eu",
                a.annotations().get("api_url"));
        assertEquals(
                1.0,
                meters.get(MetricCatalogue.ALERTS_FIRING.meterName())
                        .tags("alertname", "StreamingBatchTooSlow", "severity", "warning")
                        .gauge()
                        .value());
    }

    @Test
    void recoveryResolvesWithAnEndTime() {
        for (int i = 0; i < 4; i++) batch(1500);
        for (int i = 0; i < 3; i++) batch(200);
        List<Sent> slow = sentFor(BatchTooSlow.NAME);
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED),
                slow.stream().map(Sent::transition).toList());
        Alert resolved = slow.get(1).alert();
        assertNotNull(resolved.endsAt());
        assertEquals(slow.get(0).alert().startsAt(), resolved.startsAt());
        assertTrue(
                engine.alerts(false).stream()
                        .noneMatch(v -> v.alertname().equals(BatchTooSlow.NAME)));
        AlertView history =
                engine.alerts(true).stream()
                        .filter(v -> v.alertname().equals(BatchTooSlow.NAME))
                        .findFirst()
                        .orElseThrow();
        assertEquals(AlertStatus.RESOLVED, history.state());
        assertEquals(
                0.0,
                meters.get(MetricCatalogue.ALERTS_FIRING.meterName())
                        .tags("alertname", "StreamingBatchTooSlow", "severity", "warning")
                        .gauge()
                        .value());
    }

    @Test
    void firingAlertsAreRepeatedEveryResendInterval() {
        for (int i = 0; i < 3; i++) batch(1500);
        engine.tick();
        assertEquals(1, sentFor(BatchTooSlow.NAME).size());
        clock.advance(Duration.ofSeconds(61));
        ingest(
                events().heartbeat(
                                clock.millis())); // keep the app alive: this is about repeats only
        engine.tick();
        engine.tick();
        List<Transition> t = sentFor(BatchTooSlow.NAME).stream().map(Sent::transition).toList();
        assertEquals(List.of(Transition.FIRING, Transition.REPEAT), t);
    }

    @Test
    void aSilentDriverPagesAppDownOnTheTimerAndResolvesWhenItReports() {
        batch(200);
        clock.advance(Duration.ofSeconds(29));
        engine.tick();
        assertTrue(sentFor(AppDown.NAME).isEmpty());
        clock.advance(Duration.ofSeconds(3));
        engine.tick();
        List<Sent> down = sentFor(AppDown.NAME);
        assertEquals(1, down.size());
        assertEquals("critical", down.get(0).alert().severity());
        assertTrue(
                down.get(0).alert().annotations().get("summary").startsWith("no heartbeat for 3"),
                down.get(0).alert().annotations().toString());
        ingest(events().heartbeat(clock.millis()));
        assertEquals(
                List.of(Transition.FIRING, Transition.RESOLVED),
                sentFor(AppDown.NAME).stream().map(Sent::transition).toList());
    }

    /** The app reported, then the service was down for ten minutes and starts again now. */
    private void serviceRestartsAfterTenMinutes() {
        batch(200);
        clock.advance(Duration.ofMinutes(10));
        engine.startupGrace(Duration.ofSeconds(90));
    }

    @Test
    void afterARestartSilenceFromBeforeTheStartPagesNobodyDuringTheGrace() {
        serviceRestartsAfterTenMinutes();
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(1));
            engine.tick();
        }
        assertTrue(sent.isEmpty(), "the service's own downtime is not the app's: " + sent);
        ingest(events().heartbeat(clock.millis()));
        batch(200);
        clock.advance(Duration.ofSeconds(5));
        engine.tick();
        assertTrue(sent.isEmpty(), sent.toString());
    }

    @Test
    void anAppStillSilentWhenTheGraceEndsIsPagedDown() {
        serviceRestartsAfterTenMinutes();
        clock.advance(Duration.ofSeconds(89));
        engine.tick();
        assertTrue(sentFor(AppDown.NAME).isEmpty());
        clock.advance(Duration.ofSeconds(2));
        engine.tick();
        assertEquals(1, sentFor(AppDown.NAME).size());
        assertTrue(sentFor(AppStalled.NAME).isEmpty(), "a down app is not also stalled");
    }

    @Test
    void anAppHeardFromAfterTheStartIsJudgedAsUsualDuringTheGrace() {
        serviceRestartsAfterTenMinutes();
        batch(200);
        clock.advance(Duration.ofSeconds(32));
        engine.tick();
        assertEquals(1, sentFor(AppDown.NAME).size(), "its silence since the start is real");
    }

    @Test
    void aCleanlyEndedAppIsNotPagedAndItsAlertsResolve() {
        for (int i = 0; i < 3; i++) batch(1500);
        assertEquals(1, sentFor(BatchTooSlow.NAME).size());
        ingest(events().appEnd(clock.millis()));
        clock.advance(Duration.ofMinutes(10));
        engine.tick();
        assertTrue(sentFor(AppDown.NAME).isEmpty(), "a finished app is not down");
        assertTrue(sentFor(AppStalled.NAME).isEmpty());
        assertEquals(Transition.RESOLVED, sentFor(BatchTooSlow.NAME).get(1).transition());
    }

    @Test
    void aSteadyAppIsNeverPaged() {
        for (int i = 0; i < 40; i++) {
            batch(300 + (i % 3) * 100);
            engine.tick();
        }
        assertTrue(sent.isEmpty(), sent.toString());
    }

    @Test
    void heartbeatsWithoutBatchesPageAppStalled() {
        batch(200);
        for (int i = 0; i < 7; i++) {
            clock.advance(Duration.ofSeconds(5));
            ingest(events().heartbeat(clock.millis()));
            engine.tick();
        }
        List<Sent> stalled = sentFor(AppStalled.NAME);
        assertEquals(1, stalled.size());
        assertTrue(sentFor(AppDown.NAME).isEmpty(), "heartbeats arrive: not down");
        batch(200);
        assertEquals(Transition.RESOLVED, sentFor(AppStalled.NAME).get(1).transition());
    }

    @Test
    void growingConsumerGroupLagPagesWithAGroupLabelAndResolves() {
        List<LagWindow.Sample> samples = new ArrayList<>();
        AlertEngine lagEngine =
                new AlertEngine(
                        List.of(),
                        registry,
                        sink,
                        clock,
                        Duration.ofSeconds(60),
                        "http://streamwatch.test:9470",
                        new SimpleMeterRegistry(),
                        () -> List.of(new LagWindow("group", "billing", samples, clock.millis())),
                        List.of(new KafkaLagGrowing(5, 30)));
        for (int i = 1; i <= 6; i++) {
            samples.add(new LagWindow.Sample(clock.millis(), 1000L * i, 20.0 * i, false));
            lagEngine.tick();
        }
        List<Sent> lag = sentFor(KafkaLagGrowing.NAME);
        assertEquals(1, lag.size(), lag.toString());
        Alert a = lag.get(0).alert();
        assertEquals("billing", a.labels().get("group"));
        assertFalse(a.labels().containsKey("app"));
        assertEquals("warning", a.labels().get("severity"));
        AlertView view = lagEngine.alerts(false).get(0);
        assertEquals("group", view.label());
        assertNull(view.app());
        samples.add(new LagWindow.Sample(clock.millis(), 0, 0.0, false));
        lagEngine.tick();
        assertEquals(Transition.RESOLVED, sentFor(KafkaLagGrowing.NAME).get(1).transition());
    }

    @Test
    void aFailedBatchPagesAndTheFailureReasonIsInTheSummary() {
        batch(200);
        Events e = events();
        clock.advance(Duration.ofMillis(SEC));
        e.completed(batchTime, 0, 100, 1, "java.io.IOException: sink refused\n\tat App.write");
        seq++;
        batchTime += SEC;
        ingest(e);
        Alert a = sentFor(BatchFailed.NAME).get(0).alert();
        assertTrue(
                a.annotations()
                        .get("summary")
                        .endsWith("failed: java.io.IOException: sink refused"),
                a.annotations().toString());
        assertNull(a.endsAt());
        assertFalse(engine.alerts(false).isEmpty());
    }
}
