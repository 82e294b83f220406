package io.streamwatch.service.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.metrics.AppMetricsCollector;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.testkit.Events;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IngestHandlerTest {
    private final MutableClock clock = MutableClock.atSystemTime();
    private final AppRegistry registry =
            new AppRegistry(clock, 100, 100, Duration.ofSeconds(30), Duration.ofHours(1));

    private IngestHandler handler(int cpuSlots) {
        return new IngestHandler(
                new EventParser(clock, 1000, 1 << 20),
                registry,
                new ServiceMetrics(
                        registry, new AppMetricsCollector(registry, clock, Duration.ofHours(1))),
                1 << 20,
                new RateLimiter(clock, 1000, 100, app -> true),
                new DecodingBudget(64 << 20, 1 << 20),
                cpuSlots);
    }

    /**
     * Runs {@code n} requests at once; returns how many were decoded and applied at once, at most.
     */
    private int mostAtOnce(IngestHandler h, int n) throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<IngestHandler.Accepted>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] body =
                        Events.from("app-" + i, "id-" + i)
                                .heartbeat(clock.millis())
                                .json()
                                .getBytes(StandardCharsets.UTF_8);
                done.add(
                        pool.submit(
                                () -> {
                                    go.await();
                                    return h.handle(
                                            "application/json",
                                            null,
                                            body.length,
                                            new ByteArrayInputStream(body),
                                            app -> {
                                                // runs between decoding and applying
                                                most.accumulateAndGet(
                                                        inside.incrementAndGet(), Math::max);
                                                try {
                                                    Thread.sleep(30);
                                                } catch (InterruptedException e) {
                                                    Thread.currentThread().interrupt();
                                                }
                                                inside.decrementAndGet();
                                            });
                                }));
            }
            go.countDown();
            for (Future<IngestHandler.Accepted> f : done) assertEquals(1, f.get().accepted());
        } finally {
            pool.shutdownNow();
        }
        return most.get();
    }

    @Test
    void noMoreRequestsAreDecodedAndAppliedAtOnceThanItsCpuSlots() throws Exception {
        assertEquals(2, mostAtOnce(handler(2), 8));
        assertEquals(8, registry.size(), "every request was applied");
    }

    @Test
    void withSlotsEnoughTheyRunTogether() throws Exception {
        // the same harness sees concurrency when nothing bounds it
        assertTrue(mostAtOnce(handler(8), 8) > 2);
    }
}
