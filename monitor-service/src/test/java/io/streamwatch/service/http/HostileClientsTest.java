package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.INGEST;
import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.SlowSenders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attacks an ingest-token holder can make, against the real service over loopback: slow request
 * bodies that would hold every worker, a forged sequence number that would silence another app, and
 * reading other apps' ids and listener instances with the ingest token.
 */
class HostileClientsTest {
    static final int SLOW_SENDERS = 260;

    @Test
    void slowBodiesDoNotStarveHealthMetricsOrTheApi() throws Exception {
        try (LoopbackService s = LoopbackService.start("hostile-slow", Map.of())) {
            assertProbesAnswerWhileSlowSendersHold(s.port(), READER);
        }
    }

    /**
     * Opens {@link #SLOW_SENDERS} ingest requests that send their body a byte a second, and while
     * they last (about 6 s) asks {@code /healthz}, {@code /metrics} and {@code /api/v1/apps}
     * repeatedly: each must answer within a second. Every socket is closed at the end.
     */
    static void assertProbesAnswerWhileSlowSendersHold(int port, String readerToken)
            throws Exception {
        HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        try (SlowSenders slow = SlowSenders.open(port, INGEST, SLOW_SENDERS, 60_000)) {
            int rounds =
                    slow.hold(Duration.ofSeconds(6), () -> probeOnce(probe, port, readerToken));
            assertTrue(rounds >= 3, "probe rounds (3 probes each): " + rounds);
            assertTrue(
                    slow.refused() >= SLOW_SENDERS - 40,
                    "slow senders answered 503 (over the cap) or 408 (too slow): "
                            + slow.outcomes());
        }
    }

    /** {@code /healthz}, {@code /metrics} and {@code /api/v1/apps} each answer 200 within 1 s. */
    private static void probeOnce(HttpClient probe, int port, String readerToken) throws Exception {
        for (String path : List.of("/healthz", "/metrics", "/api/v1/apps")) {
            long t0 = System.nanoTime();
            HttpResponse<String> r =
                    probe.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .header("Authorization", "Bearer " + readerToken)
                                    .timeout(Duration.ofSeconds(1))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
            assertTrue(ms < 1000, path + " took " + ms + " ms");
        }
    }

    @Test
    void aForgedSequenceJumpIsRefusedAndTheGenuineListenerGoesOn() throws Exception {
        try (LoopbackService s = LoopbackService.start("hostile-seq", Map.of())) {
            long t = s.clock.millis() - 60_000;
            Events genuine = Events.from("victim", "app-v").streamingStarted(t, 1000);
            assertEquals(200, s.ingest(genuine).status());
            String before = s.snapshot("victim");

            Events forged =
                    Events.from("victim", "app-v")
                            .startingAt(Long.MAX_VALUE - 1)
                            .completed(t, 1, 10, 1, null);
            assertRefused(s.ingest(forged), 400, "events[0].seq");
            assertEquals(before, s.snapshot("victim"), "the refused request changed nothing");

            Events next = Events.from("victim", "app-v").startingAt(2).completed(t, 1, 10, 7, null);
            LoopbackService.Response r = s.ingest(next);
            assertEquals(200, r.status(), r::toString);
            assertEquals(1, r.json().get("accepted").asInt(), r::toString);
            assertEquals(0, r.json().get("duplicates").asInt(), r::toString);
            assertEquals(
                    1,
                    s.get("/api/v1/apps/victim/batches", READER).json().get("batches").size(),
                    "the genuine batch is recorded");

            // A jump within the window is a gap (lost events), not a refusal.
            Events gap =
                    Events.from("victim", "app-v")
                            .startingAt(500_000)
                            .completed(t + 1000, 1, 10, 7, null);
            assertEquals(200, s.ingest(gap).status());
        }
    }

    @Test
    void anIngestTokenCannotReadTheApiUnlessAllowed() throws Exception {
        try (LoopbackService s = LoopbackService.start("hostile-read", Map.of())) {
            assertEquals(
                    200,
                    s.ingest(Events.from("victim", "app-v").heartbeat(s.clock.millis())).status());
            for (String path : List.of("/api/v1/apps", "/api/v1/apps/victim", "/api/v1/alerts")) {
                assertRefused(s.get(path, INGEST), 403, "reading needs a reader token");
                assertEquals(200, s.get(path, READER).status());
            }
        }
        try (LoopbackService s =
                LoopbackService.start(
                        "hostile-read-allowed",
                        Map.of("STREAMWATCH_API_INGEST_TOKENS_CAN_READ", "true"))) {
            assertEquals(200, s.get("/api/v1/apps", INGEST).status());
        }
    }
}
