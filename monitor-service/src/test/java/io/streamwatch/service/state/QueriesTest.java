package io.streamwatch.service.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Structured Streaming queries as the registry keeps them, fed through the real parser. */
class QueriesTest {
    private final MutableClock clock = MutableClock.atSystemTime();
    private final EventParser parser = new EventParser(clock, 2000);
    private final AppRegistry registry =
            new AppRegistry(clock, 100, 10, Duration.ofSeconds(30), Duration.ofDays(1));

    /** A multiple of 800 ms and of 1 s, so that the timestamps below are (or are not) aligned. */
    private final long t = clock.millis() / 400_000 * 400_000 - 800_000;

    private long seq = 1;

    /** A request of the app's current run, numbered after the previous one. */
    private Events request() {
        Events e = Events.from("shop", "app-1").startingAt(seq);
        seq += 1000;
        return e;
    }

    private AppRegistry.Result apply(Events e) {
        IngestBatch b = parser.parse(e.json().getBytes(StandardCharsets.UTF_8));
        AppRegistry.Result r = registry.apply(b);
        assertTrue(r.durable().isDone() && !r.durable().isCompletedExceptionally());
        return r;
    }

    private QuerySnapshot query(String key) {
        return registry.snapshot("shop").orElseThrow().queries().stream()
                .filter(q -> q.query().equals(key))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no query " + key));
    }

    @Test
    void aQueryGoesFromActiveToIdleToStoppedAndIsUpOnlyWhileItRuns() {
        apply(request().queryStarted(t, "id-1", "run-1", "orders", "processingTime", 1000L));
        QuerySnapshot started = query("orders");
        assertEquals(QuerySnapshot.ACTIVE, started.state());
        assertTrue(started.up());
        assertEquals("id-1", started.queryId());
        assertEquals("run-1", started.runId());
        assertNull(started.lastProgress());

        apply(request().queryProgress(t + 900, "id-1", "run-1", "orders", 0, t + 1000, 10, 800));
        QuerySnapshot ran = query("orders");
        assertEquals(QuerySnapshot.ACTIVE, ran.state());
        assertEquals(1, ran.batchesCompleted());
        assertEquals(10, ran.inputRows());
        assertEquals(0, ran.last().batchId());
        assertEquals(800, ran.last().triggerExecutionMs());
        assertEquals(1, ran.batchDuration().count());
        assertEquals(clock.millis(), ran.lastProgress());

        apply(request().queryIdle(t + 2000, "id-1", "run-1", null, t + 2000));
        QuerySnapshot idle = query("orders");
        assertEquals(QuerySnapshot.IDLE, idle.state());
        assertTrue(idle.up(), "an idle query runs");
        assertEquals(1, idle.batchesCompleted(), "idle records no micro-batch");
        assertEquals(1, registry.snapshot("shop").orElseThrow().queries().size(), "same query");

        apply(request().queryTerminated(t + 3000, "id-1", "run-1", "orders", null, null));
        QuerySnapshot stopped = query("orders");
        assertEquals(QuerySnapshot.STOPPED, stopped.state());
        assertFalse(stopped.up());
        assertEquals(0, stopped.failures());
        assertNull(stopped.exception());
    }

    @Test
    void aQueryIsNotUpWhenItsAppIsSilentAndStopsWhenTheAppEnds() {
        apply(request().queryStarted(t, "id-1", "run-1", null, null, null));
        assertTrue(query("id-1").up(), "an unnamed query is keyed by its id");
        clock.advance(Duration.ofSeconds(31));
        assertEquals(QuerySnapshot.ACTIVE, query("id-1").state());
        assertFalse(query("id-1").up(), "the app is silent");
        apply(request().appEnd(t + 40_000));
        assertEquals(QuerySnapshot.STOPPED, query("id-1").state());
        assertFalse(query("id-1").up());
    }

    @Test
    void aMicroBatchIsCountedOncePerQueryIdAndBatchId() {
        apply(request().queryProgress(t, "id-1", "run-1", "orders", 5, t, 10, 100));
        // The same progress again under new seqs (a listener that lost its acknowledgement state).
        AppRegistry.Result again =
                apply(request().queryProgress(t, "id-1", "run-1", "orders", 5, t, 10, 100));
        assertEquals(1, again.accepted(), "a fresh event as far as seq goes");
        apply(request().queryProgress(t, "id-1", "run-1", "orders", 4, t, 10, 100));
        assertEquals(1, query("orders").batchesCompleted(), "batch 5 again and 4 are duplicates");
        assertEquals(10, query("orders").inputRows());
        // The same batch id under another query id (the name reused with a new checkpoint) counts.
        apply(request().queryProgress(t + 1000, "id-2", "run-2", "orders", 0, t + 1000, 7, 100));
        assertEquals(2, query("orders").batchesCompleted());
        assertEquals(2, registry.microBatches("shop", "orders", 10).orElseThrow().size());
    }

    @Test
    void aNewRunIdUnderAKnownQueryIsOneRestartAndALateEventOfTheOldRunChangesNothing() {
        apply(request().queryStarted(t, "id-1", "run-1", "orders", null, null));
        apply(request().queryProgress(t, "id-1", "run-1", "orders", 0, t, 1, 100));
        assertEquals(0, query("orders").restarts(), "the first run is no restart");
        apply(
                request()
                        .queryStarted(t + 5000, "id-1", "run-2", "orders", null, null)
                        .queryProgress(t + 6000, "id-1", "run-2", "orders", 1, t + 6000, 1, 100)
                        .queryIdle(t + 7000, "id-1", "run-2", "orders", t + 7000));
        assertEquals(1, query("orders").restarts());
        assertEquals("run-2", query("orders").runId());
        apply(request().queryTerminated(t + 8000, "id-1", "run-1", "orders", "late", null));
        QuerySnapshot q = query("orders");
        assertEquals(1, q.restarts());
        assertEquals(QuerySnapshot.IDLE, q.state(), "the old run's end is not the new run's");
        assertEquals(0, q.failures());
    }

    @Test
    void aFailedRunIsCountedOnceAndItsExceptionGoesWhenTheNextRunProgresses() {
        apply(request().queryStarted(t, "id-1", "run-1", "orders", null, null));
        String boom = "org.apache.spark.SparkException: boom\n\tat x.Y.z(Y.java:1)";
        apply(request().queryTerminated(t + 1000, "id-1", "run-1", "orders", boom, "FAILED"));
        apply(request().queryTerminated(t + 1001, "id-1", "run-1", "orders", boom, "FAILED"));
        QuerySnapshot failed = query("orders");
        assertEquals(QuerySnapshot.FAILED, failed.state());
        assertEquals(1, failed.failures());
        assertEquals(boom, failed.exception());
        assertEquals("FAILED", failed.errorClass());
        assertFalse(failed.up());

        apply(request().queryStarted(t + 5000, "id-1", "run-2", "orders", null, null));
        assertEquals(QuerySnapshot.ACTIVE, query("orders").state());
        assertEquals(boom, query("orders").exception(), "until the new run makes progress");
        apply(request().queryProgress(t + 6000, "id-1", "run-2", "orders", 1, t + 6000, 1, 100));
        assertNull(query("orders").exception());
        assertNull(query("orders").errorClass());
        assertEquals(1, query("orders").failures());
        assertEquals(1, query("orders").restarts());
    }

    @Test
    void aSparkThreeFourProgressWithoutAddBatchIsIdleAndRecordsNoMicroBatch() {
        apply(request().queryProgress(t, "id-1", "run-1", "orders", 0, t, 5, 100));
        apply(request().queryNoDataProgress(t + 1000, "id-1", "run-1", "orders", 1, t + 1000));
        QuerySnapshot q = query("orders");
        assertEquals(QuerySnapshot.IDLE, q.state());
        assertTrue(q.up());
        assertEquals(1, q.batchesCompleted());
        assertEquals(0, q.last().batchId());
        // The no-data trigger did not take batch id 1: Spark's next micro-batch still counts.
        apply(request().queryProgress(t + 2000, "id-1", "run-1", "orders", 1, t + 2000, 5, 100));
        assertEquals(2, query("orders").batchesCompleted());
    }

    private Events batches(String runId, long... timestamps) {
        Events e = request();
        for (int i = 0; i < timestamps.length; i++)
            e.queryProgress(timestamps[i], "id-1", runId, "orders", i, timestamps[i], 1, 50);
        return e;
    }

    @Test
    void theTriggerIntervalIsInferredFromAlignedOneSecondTimestamps() {
        long base = t + 7000; // a multiple of 1000
        apply(batches("run-1", base + 3, base + 1004, base + 2010, base + 3002, base + 5001));
        QuerySnapshot q = query("orders");
        assertEquals(1000L, q.triggerIntervalMs());
        assertEquals("inferred", q.triggerIntervalSource());
        assertNull(q.trigger());
    }

    @Test
    void anAsFastAsPossibleQueryGetsNoInferredInterval() {
        long base = t + 7317;
        apply(batches("run-1", base, base + 812, base + 1655, base + 2431, base + 3262));
        assertNull(query("orders").triggerIntervalMs());
        assertNull(query("orders").triggerIntervalSource());
    }

    @Test
    void fewerThanFourMicroBatchesInferNothing() {
        long base = t + 7000;
        apply(batches("run-1", base + 3, base + 1004, base + 2010));
        assertNull(query("orders").triggerIntervalMs());
    }

    @Test
    void theListenersTriggerWinsOverInference() {
        long base = t + 7000;
        Events e = batches("run-1", base + 3, base + 1004, base + 2010, base + 3002);
        e.trigger("processingTime", 2000L);
        apply(e);
        assertEquals(2000L, query("orders").triggerIntervalMs());
        assertEquals("spark", query("orders").triggerIntervalSource());
        assertEquals("processingTime", query("orders").trigger());
        apply(request().queryStarted(t + 9000, "id-1", "run-2", "orders", "default", null));
        assertNull(query("orders").triggerIntervalMs(), "as fast as possible has no interval");
        assertEquals("default", query("orders").trigger());
    }

    @Test
    void inferenceTable() {
        assertEquals(2000L, TriggerInference.intervalMs(at(0, 2000, 4010, 6000, 10_050)));
        assertEquals(500L, TriggerInference.intervalMs(at(1000, 1500, 2003, 2501, 3000)));
        assertEquals(2000L, TriggerInference.intervalMs(at(0, 2000, 4010, 6000)), "four suffice");
        assertNull(TriggerInference.intervalMs(at(130, 1130, 2130, 3130, 4130)), "not aligned");
        assertNull(TriggerInference.intervalMs(at(0, 20, 40, 60, 80)), "rounds to 0");
    }

    private static List<MicroBatch> at(long... timestamps) {
        List<MicroBatch> out = new ArrayList<>();
        for (int i = 0; i < timestamps.length; i++)
            out.add(
                    new MicroBatch(
                            "id",
                            "run",
                            i,
                            1_700_000_000_000L + timestamps[i],
                            Map.of(),
                            0,
                            null,
                            null,
                            null,
                            0,
                            0,
                            0,
                            List.of()));
        return out;
    }

    @Test
    void anIdleEventWithoutANameFindsTheNamedQueryByItsId() {
        apply(request().queryStarted(t, "id-1", "run-1", "orders", null, null));
        apply(request().queryIdle(t + 1000, "id-1", "run-1", null, t + 1000));
        assertEquals(1, registry.snapshot("shop").orElseThrow().queries().size());
        assertEquals(QuerySnapshot.IDLE, query("orders").state());
    }

    @Test
    void theKafkaSourcesOfTheNewestMicroBatchGiveTheQuerysPositionAndTheLagComesBack() {
        apply(
                request()
                        .queryProgress(t, "id-1", "run-1", "orders", 0, t, 5, 100)
                        .kafkaSource("clicks", 10, 20));
        List<QueryKafkaProgress> p = registry.queryKafkaProgress();
        assertEquals(1, p.size());
        assertEquals("orders", p.get(0).query());
        assertEquals(Map.of("clicks", Map.of(0, 10L, 1, 20L)), p.get(0).offsets());
        assertEquals(t, p.get(0).timestamp());
        registry.queryKafkaLag(
                "shop",
                "orders",
                List.of(new QuerySnapshot.TopicLag("clicks", 42, 3.5)),
                new LagWindow.Sample(clock.millis(), 42, 3.5, false),
                10);
        assertEquals(
                List.of(new QuerySnapshot.TopicLag("clicks", 42, 3.5)), query("orders").kafkaLag());
        registry.queryKafkaLag("shop", "orders", List.of(), null, 10);
        assertEquals(List.of(), query("orders").kafkaLag());
    }

    @Test
    void aQueryOverTheLimitIsRefusedWith422AndNothingIsApplied() {
        Events e = request();
        for (int i = 0; i < Queries.MAX_QUERIES; i++)
            e.queryStarted(t, "id-" + i, "run-" + i, "q" + i, null, null);
        apply(e);
        Events more =
                request()
                        .queryStarted(t, "id-0", "run-0b", "q0", null, null)
                        .queryStarted(t, "id-x", "run-x", "one-too-many", null, null);
        AppLimitException refused =
                assertThrows(
                        AppLimitException.class,
                        () ->
                                registry.apply(
                                        parser.parse(
                                                more.json().getBytes(StandardCharsets.UTF_8))));
        assertEquals(422, refused.status());
        assertTrue(
                refused.getMessage().startsWith("events[1].name: app 'shop' already runs 1000"),
                refused.getMessage());
        assertEquals(0, query("q0").restarts(), "nothing of the request was applied");
        // A query that ended makes room.
        apply(request().queryTerminated(t, "id-5", "run-5", "q5", null, null));
        apply(request().queryStarted(t, "id-x", "run-x", "one-more", null, null));
        assertEquals(1000, registry.snapshot("shop").orElseThrow().queries().size());
        assertEquals(QuerySnapshot.ACTIVE, query("one-more").state());
    }

    /** Every query's snapshot, histogram buckets included. */
    private String queries() {
        StringBuilder out = new StringBuilder();
        for (QuerySnapshot q : registry.snapshot("shop").orElseThrow().queries()) {
            out.append(q.toString().replaceAll("\\[J@[0-9a-f]+", ""))
                    .append(java.util.Arrays.toString(q.batchDuration().counts()))
                    .append('\n');
        }
        return out.toString();
    }

    @Test
    void aFailedCommitLeavesTheQueriesAsBeforeAndTheRetryIsApplied() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        List<QueryChanges> saved = new ArrayList<>();
        registry.persistTo(
                new Persistence() {
                    @Override
                    public CompletableFuture<Void> save(
                            PersistedApp app, List<BatchRecord> newBatches) {
                        return save(app, newBatches, QueryChanges.NONE);
                    }

                    @Override
                    public CompletableFuture<Void> save(
                            PersistedApp app, List<BatchRecord> newBatches, QueryChanges q) {
                        if (failing.get())
                            return CompletableFuture.failedFuture(
                                    new IllegalStateException("disk"));
                        saved.add(q);
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public void forget(String app) {}
                });
        apply(
                request()
                        .queryStarted(t, "id-1", "run-1", "orders", null, null)
                        .queryProgress(t, "id-1", "run-1", "orders", 0, t, 5, 100)
                        .queryStarted(t, "id-2", "run-a", "totals", null, null));
        String before = queries();
        List<MicroBatch> batchesBefore = registry.microBatches("shop", "orders", 10).orElseThrow();

        Events next =
                request()
                        .queryProgress(t + 1000, "id-1", "run-1", "orders", 1, t + 1000, 5, 100)
                        .queryTerminated(t + 2000, "id-2", "run-a", "totals", "boom", null)
                        .queryStarted(t + 3000, "id-3", "run-x", "fresh", null, null)
                        .appEnd(t + 4000);
        failing.set(true);
        IngestBatch parsed = parser.parse(next.json().getBytes(StandardCharsets.UTF_8));
        assertTrue(registry.apply(parsed).durable().isCompletedExceptionally());
        assertEquals(before, queries());
        assertEquals(batchesBefore, registry.microBatches("shop", "orders", 10).orElseThrow());

        failing.set(false);
        AppRegistry.Result retried = registry.apply(parsed);
        retried.durable().get();
        assertEquals(4, retried.accepted());
        assertEquals(2, query("orders").batchesCompleted(), "batch 1 counts: it was undone");
        assertEquals(1, query("totals").failures());
        assertEquals(QuerySnapshot.STOPPED, query("fresh").state());
        QueryChanges last = saved.get(saved.size() - 1);
        assertEquals(1, last.added().size());
        assertEquals(1, last.added().get(0).batch().batchId());
    }
}
