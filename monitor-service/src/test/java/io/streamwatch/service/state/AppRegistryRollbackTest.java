package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A change the store could not write is undone in memory: every persisted part is as before, so the
 * same request retried is applied, not counted as a duplicate.
 */
class AppRegistryRollbackTest {
    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 100);
    private final AppRegistry registry =
            new AppRegistry(clock, 4, 10, Duration.ofSeconds(30), Duration.ofDays(1));
    private final AtomicBoolean failing = new AtomicBoolean();
    private final List<String> told = new ArrayList<>();

    AppRegistryRollbackTest() {
        registry.persistTo(
                new Persistence() {
                    @Override
                    public CompletableFuture<Void> save(
                            PersistedApp app, List<BatchRecord> newBatches) {
                        return failing.get()
                                ? CompletableFuture.failedFuture(new IllegalStateException("disk"))
                                : CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public void forget(String app) {}
                });
        registry.subscribe(told::add);
    }

    private IngestBatch parse(Events e) {
        return parser.parse(e.json().getBytes(StandardCharsets.UTF_8));
    }

    /** What a restart would see, and the in-memory-only batch list. */
    private String state() {
        AppSnapshot s = registry.snapshot("orders").orElseThrow();
        return s.run()
                + "|"
                + s.listener()
                + "|"
                + s.batches().completed()
                + "/"
                + s.batches().failed()
                + "/"
                + s.batches().records()
                + "/"
                + s.batches().processingTime().count()
                + "|"
                + s.waitingBatches()
                + "|"
                + s.receivers()
                + "|"
                + registry.batches("orders", 10).orElseThrow();
    }

    @Test
    void aFailedCommitLeavesMemoryAsBeforeAndTheRetryIsApplied() throws Exception {
        long t = clock.millis();
        Events first = Events.from("orders", "app-1").streamingStarted(t, 1000);
        // A full history (capacity 4), so that the failed request would push the oldest out.
        for (int i = 0; i < 4; i++) first.completed(t + i * 1000L, 0, 100, 5, null);
        first.submitted(t + 9000);
        registry.apply(parse(first)).durable().get();
        String before = state();
        told.clear();

        Events next =
                Events.from("orders", "app-1")
                        .startingAt(7)
                        .completed(t + 4000, 0, 100, 7, "boom")
                        .submitted(t + 10_000)
                        .receiverError(t + 4500, 0, "gone");
        // A new run too: identity, receivers and waiting batches all change.
        Events restart = Events.from("orders", "app-2").streamingStarted(t + 5000, 1000);
        failing.set(true);
        AppRegistry.Result refused = registry.apply(parse(next));
        assertTrue(refused.durable().isCompletedExceptionally());
        assertTrue(registry.apply(parse(restart)).durable().isCompletedExceptionally());
        assertEquals(before, state(), "nothing of the refused requests stays in memory");
        assertEquals(List.of(), told, "nobody is told of a change that did not happen");

        failing.set(false);
        AppRegistry.Result retried = registry.apply(parse(next));
        retried.durable().get();
        assertEquals(3, retried.accepted());
        assertEquals(0, retried.duplicates());
    }
}
