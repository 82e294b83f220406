package io.streamwatch.service.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.notify.Transition;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the once-a-second timer asks, and what it leaves alone. */
class AlertSchedulerTest {
    private static final int APPS = 50;

    /**
     * A rule that always answers the same and counts how often, and over how many batches, it is
     * asked.
     */
    private static final class Counting<W> extends NamedRule<W> {
        final AtomicInteger checks = new AtomicInteger();
        final List<Integer> sizes = new CopyOnWriteArrayList<>();
        private final Check answer;

        Counting(String name, int window, boolean clockDriven) {
            this(name, window, clockDriven, Check.hold());
        }

        Counting(String name, int window, boolean clockDriven, Check answer) {
            super(name, Severity.WARNING, window, clockDriven ? Trigger.CLOCK : Trigger.EVIDENCE);
            this.answer = answer;
        }

        @Override
        public Check check(W w) {
            checks.incrementAndGet();
            if (w instanceof AppWindow a) sizes.add(a.recent().size());
            return answer;
        }
    }

    private final MutableClock clock = MutableClock.atSystemTime();
    private final AppRegistry registry =
            new AppRegistry(clock, 1000, 10_000, Duration.ofSeconds(30), Duration.ofDays(7));
    private final EventParser parser = new EventParser(clock, 1000);
    private final List<Alert> sent = new ArrayList<>();
    private final Counting<AppWindow> batchRule = new Counting<>("BatchRule", 10, false);
    private final Counting<AppWindow> clockRule = new Counting<>("ClockRule", 0, true);
    private AlertEngine engine;

    @BeforeEach
    void setUp() {
        engine =
                new AlertEngine(
                        List.of(batchRule, clockRule),
                        registry,
                        (a, t) -> sent.add(a),
                        clock,
                        Duration.ofSeconds(60),
                        "http://test",
                        new SimpleMeterRegistry());
    }

    /**
     * Twelve 1-second batches of {@code app}, straight into the registry: nobody calls {@code
     * evaluate}.
     */
    private void batchesArrive(String app, long processingMs) {
        long t = clock.millis();
        Events e = Events.from(app, "run-" + app).streamingStarted(t, 1000);
        for (int i = 0; i < 12; i++) e.completed(t + i * 1000L, 0, processingMs, 10, null);
        registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void onceEveryAppWasEvaluatedTheTimerAsksOnlyTheClockDrivenRules() {
        for (int i = 0; i < APPS; i++) {
            batchesArrive("app-" + i, 100);
            engine.evaluate("app-" + i);
        }
        assertEquals(APPS, batchRule.checks.get());
        assertEquals(APPS, clockRule.checks.get());
        for (int s = 0; s < 20; s++) {
            clock.advance(Duration.ofSeconds(1));
            engine.tick();
        }
        assertEquals(APPS, batchRule.checks.get(), "no batch rule is re-run on the timer");
        assertEquals(
                APPS + 20 * APPS,
                clockRule.checks.get(),
                "the clock-driven rule is asked about every app every second");
    }

    @Test
    void anAppJudgedByEveryRuleLessThanASecondAgoIsNotAskedAgainByTheTimer() {
        batchesArrive("orders", 100);
        batchesArrive("quiet", 100);
        engine.evaluate("orders");
        engine.evaluate("quiet");
        clock.advance(Duration.ofMillis(400));
        engine.evaluate("orders");
        clock.advance(Duration.ofMillis(700));
        engine.tick();
        assertEquals(
                3 + 1,
                clockRule.checks.get(),
                "the timer asks only 'quiet' (judged 1.1 s ago); 'orders' was judged 0.7 s ago");
        clock.advance(Duration.ofMillis(1000));
        engine.tick();
        assertEquals(4 + 2, clockRule.checks.get(), "a second later the timer asks both");
    }

    @Test
    void aChangeNobodyAnnouncedIsEvaluatedOnceOnTheNextTickOverTheFullWindow() {
        batchesArrive("orders", 100);
        engine.tick();
        engine.tick();
        engine.tick();
        assertEquals(1, batchRule.checks.get());
        assertEquals(
                List.of(10),
                batchRule.sizes,
                "the batch rule sees the window it declared, not the timer's");
        assertEquals(3, clockRule.checks.get());
    }

    @Test
    void evaluateAsksEveryRuleOverTheLongestDeclaredWindow() {
        batchesArrive("orders", 100);
        engine.evaluate("orders");
        assertEquals(List.of(10), batchRule.sizes);
        assertEquals(List.of(10), clockRule.sizes);
        engine.evaluate("nobody");
        assertEquals(1, batchRule.checks.get(), "an unknown app is not evaluated");
    }

    @Test
    void slowBatchesThatArriveUnannouncedStillPageOnTheTimer() {
        AlertEngine real =
                new AlertEngine(
                        io.streamwatch.service.StreamwatchServiceRules.defaults(),
                        registry,
                        (a, t) -> sent.add(a),
                        clock,
                        Duration.ofSeconds(60),
                        "http://test",
                        new SimpleMeterRegistry());
        batchesArrive("orders", 1500);
        real.tick();
        assertEquals(List.of(BatchTooSlow.NAME), sent.stream().map(Alert::name).toList());
    }

    @Test
    void lagIsEvaluatedWhenANewSampleArrivesNotEverySecond() {
        List<LagWindow.Sample> samples = new CopyOnWriteArrayList<>();
        Counting<LagWindow> lagRule = new Counting<>("LagRule", 5, false);
        AlertEngine lag =
                new AlertEngine(
                        List.of(),
                        registry,
                        (a, t) -> sent.add(a),
                        clock,
                        Duration.ofSeconds(60),
                        "http://test",
                        new SimpleMeterRegistry(),
                        () -> List.of(new LagWindow("group", "billing", samples, clock.millis())),
                        List.of(lagRule));
        samples.add(new LagWindow.Sample(clock.millis(), 100, 1.0, false));
        for (int s = 0; s < 5; s++) lag.tick();
        assertEquals(1, lagRule.checks.get());
        samples.add(new LagWindow.Sample(clock.millis() + 15_000, 200, 2.0, false));
        lag.tick();
        lag.tick();
        assertEquals(2, lagRule.checks.get());
    }

    @Test
    void firingAlertsAreResentByTheTimerWithoutAskingTheBatchRules() {
        Counting<AppWindow> always =
                new Counting<>(
                        "AlwaysFiring", 3, false, new Check(Verdict.FIRING, "on fire", null));
        List<Transition> transitions = new ArrayList<>();
        AlertEngine e =
                new AlertEngine(
                        List.of(always),
                        registry,
                        (a, t) -> transitions.add(t),
                        clock,
                        Duration.ofSeconds(60),
                        "http://test",
                        new SimpleMeterRegistry());
        batchesArrive("orders", 100);
        e.evaluate("orders");
        for (int s = 0; s < 61; s++) {
            clock.advance(Duration.ofSeconds(1));
            e.tick();
        }
        assertEquals(List.of(Transition.FIRING, Transition.REPEAT), transitions);
        assertEquals(1, always.checks.get());
        assertTrue(e.alerts(false).stream().anyMatch(v -> v.alertname().equals("AlwaysFiring")));
    }
}
