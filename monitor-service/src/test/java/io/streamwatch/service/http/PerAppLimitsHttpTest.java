package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Events;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Per-app limits over real HTTP: receivers, Kafka topics and partitions, how often the identity
 * labels change, and which reported Spark UIs are polled. A refused request leaves the app as it
 * was.
 */
class PerAppLimitsHttpTest {
    private static final Map<String, String> BIG_REQUESTS =
            Map.of(
                    "STREAMWATCH_INGEST_MAX_EVENTS_PER_REQUEST", "5000",
                    "STREAMWATCH_INGEST_MAX_BODY_BYTES", "4194304");

    /** {@code count} receiverStarted events for stream ids {@code from}, {@code from+1}, ... */
    private static Events receivers(Events e, int from, int count, long t) {
        for (int id = from; id < from + count; id++) {
            ObjectNode r = e.event("receiverStarted", t).putObject("receiver");
            r.put("streamId", id);
            r.put("name", "r" + id);
            r.put("active", true);
            r.put("location", "localhost");
            r.put("executorId", "1");
            r.putNull("lastErrorMessage");
            r.putNull("lastError");
        }
        return e;
    }

    /** A completed batch reading {@code topics} topics (one input each) of {@code partitions}. */
    private static Events kafkaBatch(Events e, long t, int topics, int partitions) {
        e.completed(t, 1, 10, 1, null);
        ArrayNode events = (ArrayNode) e.root().get("events");
        ObjectNode batch = (ObjectNode) events.get(events.size() - 1).get("batch");
        ArrayNode inputs = batch.putArray("inputs");
        for (int tp = 0; tp < topics; tp++) {
            ObjectNode in = inputs.addObject();
            in.put("streamId", tp);
            in.put("records", 1);
            in.putNull("description");
            ArrayNode offsets = in.putArray("offsets");
            for (int p = 0; p < partitions; p++) {
                ObjectNode o = offsets.addObject();
                o.put("topic", "t" + tp);
                o.put("partition", p);
                o.put("fromOffset", 0);
                o.put("untilOffset", 1);
            }
        }
        return e;
    }

    @Test
    void receiversBeyondTheCapAre422AndChangeNothingANewRunStartsFromZero() throws Exception {
        try (LoopbackService svc = LoopbackService.start("receivers", BIG_REQUESTS)) {
            long t = svc.clock.millis();
            assertEquals(
                    200, svc.ingest(receivers(Events.from("r", "run-1"), 0, 1000, t)).status());
            String before = svc.snapshot("r");

            LoopbackService.Response refused =
                    svc.ingest(
                            receivers(
                                    receivers(Events.from("r", "run-1").startingAt(1001), 5, 1, t),
                                    1000,
                                    1,
                                    t));
            assertRefused(
                    refused,
                    422,
                    "events[1].receiver.streamId: app 'r' already has 1000 receivers (the most an app may have)");
            assertEquals(before, svc.snapshot("r"), "the refused request changed the app");

            LoopbackService.Response oneRequest =
                    svc.ingest(receivers(Events.from("other", "o-1"), 0, 1001, t));
            assertRefused(oneRequest, 422, "events[1000].receiver.streamId: app 'other'");

            assertEquals(
                    200,
                    svc.ingest(receivers(Events.from("r", "run-2"), 1000, 1000, t)).status(),
                    "a new run starts without the old run's receivers");
        }
    }

    @Test
    void kafkaTopicsAndPartitionsBeyondTheCapsAre422() throws Exception {
        try (LoopbackService svc = LoopbackService.start("kafka", BIG_REQUESTS)) {
            long t = svc.clock.millis() - 60_000;
            assertEquals(200, svc.ingest(kafkaBatch(Events.from("k", "k-1"), t, 1000, 1)).status());
            String before = svc.snapshot("k");
            Events more = kafkaBatch(Events.from("k", "k-1").startingAt(2), t + 1000, 1001, 1);
            assertRefused(
                    svc.ingest(more),
                    422,
                    "events[0].batch.inputs[1000].offsets[0].topic: app 'k' already has 1000 Kafka topics");
            assertEquals(before, svc.snapshot("k"));

            assertRefused(
                    svc.ingest(kafkaBatch(Events.from("p", "p-1"), t, 2, 5001)),
                    422,
                    "events[0].batch.inputs[1].offsets[4999].partition: app 'p' already has 10000 Kafka partitions");
            assertEquals(
                    200,
                    svc.ingest(kafkaBatch(Events.from("p", "p-1"), t, 2, 5000)).status(),
                    "10000 partitions in all are fine");
        }
    }

    @Test
    void theIdentityLabelsChangeAtMostTenTimesAMinute() throws Exception {
        try (LoopbackService svc = LoopbackService.start("churn", Map.of())) {
            long t = svc.clock.millis();
            for (int i = 0; i < 10; i++) {
                assertEquals(
                        200,
                        svc.ingest(Events.from("churn", "run-" + i).heartbeat(t)).status(),
                        "restart " + i);
            }
            String before = svc.snapshot("churn");
            LoopbackService.Response refused =
                    svc.ingest(Events.from("churn", "run-10").heartbeat(t));
            assertRefused(
                    refused,
                    429,
                    "source: app 'churn' changed its app id, attempt id, Spark version or UI URL 10 times in the last minute");
            assertEquals("60", refused.header("Retry-After"));
            assertEquals(before, svc.snapshot("churn"));
            assertEquals(
                    200,
                    svc.ingest(Events.from("churn", "run-9").heartbeat(t)).status(),
                    "the current run keeps reporting");

            svc.clock.advance(Duration.ofSeconds(61));
            assertEquals(
                    200,
                    svc.ingest(Events.from("churn", "run-10").heartbeat(svc.clock.millis()))
                            .status());
        }
    }

    @Test
    void aReportedUiOutsideTheAllowedNetworksIsNeverContactedAndTheApiSaysWhy() throws Exception {
        AtomicInteger contacted = new AtomicInteger();
        HttpServer outside =
                HttpServer.create(
                        new InetSocketAddress(
                                InetAddress.getByAddress(new byte[] {127, 0, 0, 3}), 0),
                        0);
        outside.createContext(
                "/",
                x -> {
                    contacted.incrementAndGet();
                    x.sendResponseHeaders(404, -1);
                    x.close();
                });
        outside.start();
        try (LoopbackService svc =
                LoopbackService.start(
                        "ui",
                        Map.of(
                                "STREAMWATCH_SPARK_ALLOWED_UI_NETWORKS", "127.0.0.1/32",
                                "STREAMWATCH_SPARK_REST_POLL_INTERVAL", "100ms"))) {
            Events e = Events.from("ui", "ui-1").heartbeat(svc.clock.millis());
            ((ObjectNode) e.root().get("source"))
                    .put("uiUrl", "http://127.0.0.3:" + outside.getAddress().getPort());
            assertEquals(200, svc.ingest(e).status());
            Await.until(
                    Duration.ofSeconds(10),
                    "the API shows why the UI is not polled",
                    () -> {
                        JsonNode rest = rest(svc);
                        return rest != null && !rest.get("refused").isNull();
                    });
            assertEquals(
                    "ui host 127.0.0.3 is outside spark.allowedUiNetworks [127.0.0.1/32]",
                    rest(svc).get("refused").asText());
            assertNull(rest(svc).get("up").textValue());
            Thread.sleep(500); // a few more poll ticks
            assertEquals(0, contacted.get(), "the UI on 127.0.0.3 was contacted");
        } finally {
            outside.stop(0);
        }
    }

    private static JsonNode rest(LoopbackService svc) {
        try {
            return svc.get("/api/v1/apps/ui", READER).json().get("rest");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
