package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A sequence number may not jump further above its instance's mark than a listener can have come:
 * {@value ListenerDelivery#SEQ_WINDOW} plus one per millisecond since the mark moved.
 */
class SequenceWindowTest {
    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 100);
    private final AppRegistry registry =
            new AppRegistry(clock, 100, 10, Duration.ofSeconds(30), Duration.ofDays(1));

    /** The highest seq the parser lets through (PROTOCOL.md, bounds): 2^53 - 1. */
    private static final long HIGHEST_SEQ = (1L << 53) - 1;

    private IngestBatch parse(Events e) {
        return parser.parse(e.json().getBytes(StandardCharsets.UTF_8));
    }

    private AppRegistry.Result apply(long firstSeq, long batchTime) {
        return registry.apply(
                parse(
                        Events.from("app", "app-1")
                                .startingAt(firstSeq)
                                .completed(batchTime, 0, 10, 1, null)));
    }

    /** The app as the API sees it (histogram arrays by identity left out). */
    private String view() {
        return registry.snapshot("app").orElseThrow().toString().replaceAll("\\[J@\\w+", "");
    }

    @Test
    void aJumpBeyondTheWindowIsRefusedAndChangesNothing() {
        long t = clock.millis() - 60_000;
        assertEquals(1, apply(1, t).accepted());
        String before = view();

        SequenceJumpException e =
                assertThrows(SequenceJumpException.class, () -> apply(HIGHEST_SEQ, t + 1000));
        assertTrue(e.getMessage().startsWith("events[0].seq: " + HIGHEST_SEQ), e.getMessage());
        assertThrows(
                SequenceJumpException.class,
                () -> apply(1 + ListenerDelivery.SEQ_WINDOW + 1, t + 1000));
        assertEquals(before, view());

        AppRegistry.Result next = apply(2, t + 1000);
        assertEquals(1, next.accepted());
        assertEquals(0, next.duplicates());
        assertEquals(1, apply(1 + ListenerDelivery.SEQ_WINDOW, t + 2000).accepted());
    }

    @Test
    void theWindowGrowsWithTheTimeSinceTheMarkMoved() {
        long t = clock.millis() - 60_000;
        apply(1, t);
        clock.advance(Duration.ofSeconds(10));
        assertEquals(1, apply(1 + ListenerDelivery.SEQ_WINDOW + 10_000, t + 1000).accepted());
    }

    @Test
    void aNewInstanceStartsWhereItStartsButNotFurtherWithinItsRequest() {
        long t = clock.millis() - 60_000;
        assertEquals(1, apply(5_000_000_000L, t).accepted());
        Events jump =
                Events.from("app", "app-2")
                        .startingAt(7)
                        .completed(t, 0, 10, 1, null)
                        .startingAt(HIGHEST_SEQ - 1)
                        .completed(t + 1000, 0, 10, 1, null);
        assertThrows(SequenceJumpException.class, () -> registry.apply(parse(jump)));
    }
}
