package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.T0;
import static io.streamwatch.listener.SparkEvents.conf;
import static io.streamwatch.listener.SparkEvents.wrap;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.ReceiverInfo;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchSubmitted;
import org.apache.spark.streaming.scheduler.StreamingListenerOutputOperationCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerStreamingStarted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamwatchListenerTest {
    private final Harness harness = new Harness();

    @AfterEach
    void cleanUp() {
        harness.close();
    }

    private FakeService service() throws Exception {
        return harness.service();
    }

    private StreamwatchListener listener(SparkConf conf) {
        return harness.listener(conf);
    }

    /** An event Spark posts that has nothing to do with streaming. */
    static final class UnrelatedEvent implements SparkListenerEvent {}

    private static Set<Thread> shipperThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (Shipper.THREAD_NAME.equals(t.getName())) {
                threads.add(t);
            }
        }
        return threads;
    }

    private static void feedEverything(StreamwatchListener l) {
        l.onApplicationStart(SparkEvents.appStart("x", "app-1", null, T0, "u"));
        l.onOtherEvent(wrap(new StreamingListenerStreamingStarted(T0)));
        l.onOtherEvent(
                wrap(
                        new StreamingListenerBatchCompleted(
                                SparkEvents.batch(T0, 1, T0 + 5, T0 + 9))));
        l.onOtherEvent(new UnrelatedEvent());
        l.onApplicationEnd(new SparkListenerApplicationEnd(T0 + 10));
    }

    @Test
    void wrappedStreamingEventsReachTheServiceInOrderWithIdentityAndToken() throws Exception {
        FakeService svc = service();
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                svc.url(),
                                ListenerConfig.TOKEN,
                                "s3cret-token",
                                ListenerConfig.APP,
                                "orders",
                                "spark.app.id",
                                "app-from-conf",
                                ListenerConfig.FLUSH_INTERVAL_MS,
                                "50"));
        assertFalse(l.isInert());

        BatchInfo submitted = SparkEvents.batch(T0, 10, null, null);
        BatchInfo started = SparkEvents.batch(T0, 10, T0 + 10, null);
        BatchInfo completed = SparkEvents.batch(T0, 10, T0 + 10, T0 + 400);
        ReceiverInfo receiver = new ReceiverInfo(0, "r0", true, "h", "driver", "", "", -1L);
        l.onApplicationStart(SparkEvents.appStart("My App", "app-123", "1", T0 - 1000, "alice"));
        l.onOtherEvent(wrap(new StreamingListenerStreamingStarted(T0 - 500)));
        l.onOtherEvent(new UnrelatedEvent());
        l.onOtherEvent(wrap(new StreamingListenerBatchSubmitted(submitted)));
        l.onOtherEvent(wrap(new StreamingListenerBatchStarted(started)));
        l.onOtherEvent(
                wrap(
                        new StreamingListenerOutputOperationCompleted(
                                SparkEvents.outputOp(T0, 0, "op", null))));
        l.onOtherEvent(wrap(new StreamingListenerBatchCompleted(completed)));
        l.onOtherEvent(wrap(new StreamingListenerReceiverStarted(receiver)));

        Await.until("6 events at the service", 10_000, () -> svc.acceptedEvents().size() >= 6);
        assertEquals(0, l.callbackErrors());
        List<JsonNode> events = svc.acceptedEvents();
        List<String> types = new ArrayList<>();
        for (JsonNode e : events) {
            types.add(e.get("type").asText());
        }
        assertEquals(
                Arrays.asList(
                        "appStart",
                        "streamingStarted",
                        "batchSubmitted",
                        "batchStarted",
                        "batchCompleted",
                        "receiverStarted"),
                types);
        assertEquals(Arrays.asList(1L, 2L, 3L, 4L, 5L, 6L), svc.acceptedSeqs());
        assertEquals("My App", events.get(0).get("appName").asText());
        assertEquals(T0 - 500, events.get(1).get("startTime").asLong());
        assertTrue(
                events.get(1).get("batchIntervalMs").isNull(), "no active StreamingContext here");
        assertEquals(T0 + 400, events.get(4).get("batch").get("processingEndTime").asLong());

        Set<String> instances = new HashSet<>();
        for (FakeService.Request r : svc.requests()) {
            assertEquals("Bearer s3cret-token", r.authorization);
            assertEquals("gzip", r.contentEncoding);
            assertEquals("application/json", r.contentType);
            JsonNode envelope = r.envelope;
            assertEquals(1, envelope.get("schema").asInt());
            assertEquals(0, envelope.get("dropped").asLong());
            assertTrue(envelope.get("queued").asLong() >= 0);
            JsonNode source = envelope.get("source");
            assertEquals("orders", source.get("app").asText());
            assertEquals(
                    "app-123",
                    source.get("appId").asText(),
                    "id from SparkListenerApplicationStart");
            assertEquals("1", source.get("attemptId").asText());
            assertEquals(
                    org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                    source.get("sparkVersion").asText());
            assertEquals("0.1.0", source.get("listenerVersion").asText());
            assertTrue(source.get("uiUrl").isNull());
            assertFalse(source.get("host").asText().isEmpty());
            instances.add(source.get("instance").asText());
        }
        assertEquals(1, instances.size(), "one instance id per listener object");
        assertNotNull(UUID.fromString(instances.iterator().next()));

        l.onApplicationEnd(new SparkListenerApplicationEnd(T0 + 1000));
        List<JsonNode> all = svc.acceptedEvents();
        JsonNode last = all.get(all.size() - 1);
        assertEquals("appEnd", last.get("type").asText());
        assertEquals(7, last.get("seq").asLong());
        assertEquals(T0 + 1000, last.get("endTime").asLong());
    }

    @Test
    void noTokenMeansNoAuthorizationHeader() throws Exception {
        FakeService svc = service();
        StreamwatchListener l =
                listener(conf(ListenerConfig.URL, svc.url(), "spark.app.id", "a-1"));
        l.onOtherEvent(
                wrap(
                        new StreamingListenerBatchCompleted(
                                SparkEvents.batch(T0, 1, T0 + 1, T0 + 2))));
        Await.until("the event at the service", 10_000, () -> svc.acceptedEvents().size() == 1);
        assertEquals(null, svc.requests().get(0).authorization);
        assertEquals(
                "a-1",
                svc.requests().get(0).envelope.get("source").get("appId").asText(),
                "spark.app.id is the fallback application id");
    }

    @Test
    void heartbeatsArriveWhileIdle() throws Exception {
        FakeService svc = service();
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                svc.url(),
                                ListenerConfig.HEARTBEAT_INTERVAL_MS,
                                "100"));
        l.onApplicationStart(SparkEvents.appStart("My App", "app-hb", null, T0, "alice"));
        Await.until(
                "3 heartbeats",
                10_000,
                () -> {
                    int n = 0;
                    for (FakeService.Request r : svc.requests()) {
                        n += r.heartbeat() ? 1 : 0;
                    }
                    return n >= 3;
                });
        long before = System.currentTimeMillis();
        for (FakeService.Request r : svc.requests()) {
            if (!r.heartbeat()) {
                continue;
            }
            JsonNode beat = r.envelope.get("events").get(0);
            assertEquals(new HashSet<>(Arrays.asList("type", "time")), fieldNames(beat));
            assertTrue(beat.get("time").asLong() > T0 && beat.get("time").asLong() <= before);
            assertEquals("app-hb", r.envelope.get("source").get("appId").asText());
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void finalFlushDeliversTheLastEventsBeforeOnApplicationEndReturns() throws Exception {
        FakeService svc = service();
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                svc.url(),
                                ListenerConfig.FLUSH_INTERVAL_MS,
                                "600000"));
        l.onApplicationStart(SparkEvents.appStart("My App", "app-f", null, T0, "alice"));
        for (int i = 0; i < 3; i++) {
            l.onOtherEvent(
                    wrap(
                            new StreamingListenerBatchSubmitted(
                                    SparkEvents.batch(T0 + i * 1000, i, null, null))));
        }
        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> l.onApplicationEnd(new SparkListenerApplicationEnd(T0 + 5000)));
        // no waiting: the flush returned only after the service had answered
        assertEquals(Arrays.asList(1L, 2L, 3L, 4L, 5L), svc.acceptedSeqs());
        assertEquals("appEnd", svc.acceptedEvents().get(4).get("type").asText());
        Await.until("the shipper thread to end", 5_000, () -> !l.shipperAlive());
        l.onOtherEvent(wrap(new StreamingListenerBatchCompleted(SparkEvents.batch(T0, 1, T0, T0))));
        assertEquals(0, l.queued(), "inert after the application ended");
        assertEquals(0, l.callbackErrors());
    }

    @Test
    void finalFlushGivesUpWithinItsBoundWhenTheServiceIsDown() throws Exception {
        int port = FakeService.freePort();
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                "http://127.0.0.1:" + port,
                                "spark.app.id",
                                "app-down"));
        l.onOtherEvent(
                wrap(new StreamingListenerBatchSubmitted(SparkEvents.batch(T0, 1, null, null))));
        long start = System.nanoTime();
        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> l.onApplicationEnd(new SparkListenerApplicationEnd(T0 + 1)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(
                tookMs < StreamwatchListener.FINAL_FLUSH_TIMEOUT_MS + 2_000,
                "final flush took " + tookMs + " ms");
    }

    @Test
    void missingUrlLeavesTheListenerInertWithoutAThread() {
        assertInertWithoutAThread(conf());
    }

    @Test
    void unreadableTokenFileLeavesTheListenerInert() {
        assertInertWithoutAThread(
                conf(
                        ListenerConfig.URL,
                        "http://127.0.0.1:9",
                        ListenerConfig.TOKEN_FILE,
                        "/nonexistent/streamwatch/token"));
    }

    private void assertInertWithoutAThread(SparkConf conf) {
        Set<Thread> before = shipperThreads();
        StreamwatchListener l = listener(conf);
        assertTrue(l.isInert());
        feedEverything(l);
        Set<Thread> after = shipperThreads();
        after.removeAll(before);
        assertTrue(after.isEmpty(), "no shipper thread may start: " + after);
    }

    @Test
    void theConstructorNeverThrowsOnGarbageConfiguration() {
        SparkConf[] garbage = {
            null,
            conf(ListenerConfig.URL, "::not a url::"),
            conf(ListenerConfig.URL, "ftp://monitor"),
            conf(ListenerConfig.URL, "http://m:1", ListenerConfig.TOKEN_FILE, "/"),
            conf(ListenerConfig.URL, "http://m:1", ListenerConfig.TOKEN, "a\nb"),
            new SparkConf(false).set(ListenerConfig.URL, "http://m:1"),
        };
        for (SparkConf c : garbage) {
            StreamwatchListener l = assertDoesNotThrow(() -> listener(c), String.valueOf(c));
            assertTrue(l.isInert(), "inert for " + (c == null ? null : c.toDebugString()));
            assertDoesNotThrow(() -> feedEverything(l));
        }
        StreamwatchListener lenient =
                assertDoesNotThrow(
                        () ->
                                listener(
                                        conf(
                                                ListenerConfig.URL,
                                                "http://m:1",
                                                ListenerConfig.BUFFER_SIZE,
                                                "lots",
                                                ListenerConfig.FLUSH_INTERVAL_MS,
                                                "1e9",
                                                ListenerConfig.HEARTBEAT_INTERVAL_MS,
                                                "")));
        assertFalse(lenient.isInert(), "bad numbers fall back to defaults");
        assertEquals(10000, lenient.config().bufferSize());
        assertEquals(200, lenient.config().flushIntervalMs());
        assertEquals(5000, lenient.config().heartbeatIntervalMs());
    }
}
