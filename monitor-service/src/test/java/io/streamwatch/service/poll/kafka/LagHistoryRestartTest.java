package io.streamwatch.service.poll.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.AlertSink;
import io.streamwatch.service.notify.Transition;
import io.streamwatch.service.rules.AlertEngine;
import io.streamwatch.service.rules.KafkaLagGrowing;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.store.SqliteLagArchive;
import io.streamwatch.service.store.StatePersistence;
import io.streamwatch.service.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer group's lag alert across a restart of the service, with the real store: the lag
 * history comes back with the alert, so the alert neither resolves at start nor pages again.
 */
class LagHistoryRestartTest {
    private static final int WINDOW = 5;
    private static final ServiceConfig.Kafka CONFIG =
            new ServiceConfig.Kafka(
                    "127.0.0.1:9",
                    List.of("billing"),
                    Duration.ofSeconds(15),
                    new ServiceConfig.SecretProperties(java.util.Map.of()),
                    Duration.ofSeconds(3));

    @TempDir Path dir;
    private final MutableClock clock = MutableClock.atSystemTime();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AlertSink sink = (Alert a, Transition t) -> sent.add(t + " " + a.subject());

    /** One service life: a registry, a poller (never started: no cluster), an engine. */
    private final class Life implements AutoCloseable {
        final Store store = Store.open(dir);
        final AppRegistry registry =
                new AppRegistry(clock, 100, 100, Duration.ofSeconds(30), Duration.ofHours(1));
        final KafkaLagPoller poller =
                new KafkaLagPoller(
                        CONFIG,
                        WINDOW,
                        registry,
                        new ServiceMetrics(
                                registry,
                                new AppMetricsCollector(registry, clock, Duration.ofHours(1))),
                        clock,
                        List::of,
                        QueryLagSink.NONE,
                        () -> {
                            throw new IllegalStateException("not polled in this test");
                        });
        final AlertEngine engine;

        Life(boolean archived) {
            if (archived) poller.archiveTo(SqliteLagArchive.open(store));
            engine =
                    new AlertEngine(
                            List.of(),
                            registry,
                            sink,
                            clock,
                            Duration.ofSeconds(60),
                            "http://streamwatch.test",
                            new SimpleMeterRegistry(),
                            poller::lagWindows,
                            List.of(new KafkaLagGrowing(WINDOW, 30)));
            engine.persistTo(new StatePersistence(store));
        }

        @Override
        public void close() {
            engine.close();
            poller.close();
            store.close();
        }
    }

    /** Growing lag of group billing, well behind the head, as five polls recorded it. */
    private List<LagWindow> growingBillingLag() {
        List<LagWindow.Sample> samples = new ArrayList<>();
        for (int i = 0; i < WINDOW; i++)
            samples.add(
                    new LagWindow.Sample(
                            clock.millis() - (WINDOW - i) * 15_000L,
                            1000L * (i + 1),
                            120.0,
                            false));
        return List.of(new LagWindow("group", "billing", samples, clock.millis()));
    }

    @Test
    void aFiringGroupAlertStaysFiringAcrossARestartWithoutAResolveOrASecondPage() {
        try (Life before = new Life(false)) {
            // What the polls before the restart recorded, kept as the poller keeps it.
            try (SqliteLagArchive a = SqliteLagArchive.open(before.store)) {
                a.save(growingBillingLag());
            }
            before.poller.archiveTo(SqliteLagArchive.open(before.store));
            before.engine.tick();
            assertEquals(List.of("FIRING billing"), sent);
        }
        clock.advance(Duration.ofMinutes(5));
        try (Life after = new Life(true)) {
            assertEquals(
                    WINDOW,
                    after.poller.lagWindows().get(0).samples().size(),
                    "the lag history came back");
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofSeconds(1));
                after.engine.tick();
            }
            assertEquals(
                    List.of("FIRING billing"),
                    sent.stream().filter(t -> !t.startsWith("REPEAT")).toList(),
                    "no RESOLVED, no second page");
            assertTrue(
                    after.engine.alerts(false).stream()
                            .anyMatch(v -> v.toString().contains("billing")));
        }
    }

    @Test
    void appLagSamplesComeBackToTheirAppsNewestAligned() {
        List<LagWindow.Sample> a =
                List.of(
                        new LagWindow.Sample(1, 10, null, false),
                        new LagWindow.Sample(2, 20, null, false));
        List<LagWindow.Sample> b = List.of(new LagWindow.Sample(2, 5, 1.0, false));
        List<java.util.Map<String, LagWindow.Sample>> polls =
                LagHistory.appPolls(
                        List.of(
                                new LagWindow("app", "a", a, 0),
                                new LagWindow("app", "b", b, 0),
                                new LagWindow("group", "g", a, 0)),
                        WINDOW);
        assertEquals(2, polls.size());
        assertEquals(java.util.Map.of("a", a.get(0)), polls.get(0));
        assertEquals(java.util.Map.of("a", a.get(1), "b", b.get(0)), polls.get(1));
    }
}
