package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry tells its listeners which app changed, whoever changed it. */
class AppRegistryListenerTest {
    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 100);
    private final AppRegistry registry =
            new AppRegistry(clock, 100, 2, Duration.ofSeconds(30), Duration.ofDays(1));
    private final List<String> told = new ArrayList<>();

    private IngestBatch parse(Events e) {
        return parser.parse(e.json().getBytes(StandardCharsets.UTF_8));
    }

    private static BatchRecord batch(String appId, long t) {
        return new BatchRecord(appId, t, t, t, t + 100, 0, 100, 100, 5, false, null, true);
    }

    @Test
    void listenersHearOfIngestBackfillAndRestPollsButNotOfPureDuplicates() {
        registry.subscribe(told::add);
        long t = clock.millis();
        Events first =
                Events.from("orders", "app-1")
                        .streamingStarted(t, 1000)
                        .completed(t, 0, 100, 5, null);
        registry.apply(parse(first));
        assertEquals(List.of("orders"), told);

        registry.apply(parse(first));
        assertEquals(
                List.of("orders"), told, "a request of duplicates changed nothing worth telling");

        assertEquals(
                1,
                registry.backfill(
                        "orders", "app-1", List.of(batch("app-1", t), batch("app-1", t + 1000))));
        assertEquals(List.of("orders", "orders"), told);
        assertEquals(0, registry.backfill("orders", "app-1", List.of(batch("app-1", t + 1000))));
        assertEquals(2, told.size(), "a backfill that added nothing is not a change");

        registry.restObserved(
                "rest only",
                new RestObservation("app-9", "3.5.3", "http://d:4040", 1000L, t, 0, null));
        registry.restFailed("rest only");
        assertEquals(List.of("orders", "orders", "rest only", "rest only"), told);
        assertEquals(
                2,
                registry.snapshot("orders").orElseThrow().batches().completed(),
                "the ledger counted each batch once");
    }

    @Test
    void anAppBeyondTheLimitIsRefusedAndNothingIsTold() {
        registry.subscribe(told::add);
        long t = clock.millis();
        registry.apply(parse(Events.from("a", "app-a").streamingStarted(t, 1000)));
        registry.apply(parse(Events.from("b", "app-b").streamingStarted(t, 1000)));
        AppLimitException e =
                assertThrows(
                        AppLimitException.class,
                        () ->
                                registry.apply(
                                        parse(
                                                Events.from("c", "app-c")
                                                        .streamingStarted(t, 1000))));
        assertEquals(2, e.maxApps());
        assertEquals(List.of("a", "b"), told);
        assertEquals(2, registry.size());
    }
}
