package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.SlowSenders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a holder of one ingest token can try against the real service jar, on loopback: hold every
 * worker with slow request bodies, silence another app with a forged sequence number, and read
 * other apps' ids and listener instances (which the forgery needs). None of it works.
 */
class HostileClientsIT {
    private static final String INGEST = "hostile-ingest-" + System.nanoTime();
    private static final String READER = "hostile-reader-" + System.nanoTime();
    private static final int SLOW_SENDERS = 260;

    private static ServiceProcess service;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @BeforeAll
    static void start() throws IOException {
        service =
                ServiceProcess.in(Files.createTempDirectory("streamwatch-hostile"))
                        .token(INGEST)
                        .readerToken(READER)
                        .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
    }

    @Test
    void slowBodiesLeaveHealthMetricsAndTheApiAnswering() throws Exception {
        try (SlowSenders slow = SlowSenders.open(service.port(), INGEST, SLOW_SENDERS, 500_000)) {
            int rounds = slow.hold(Duration.ofSeconds(8), HostileClientsIT::probeOnce);
            assertTrue(rounds >= 4, "probe rounds (3 probes each): " + rounds);
            assertTrue(
                    slow.refused() >= SLOW_SENDERS - 40,
                    "slow senders answered 503 (over ingest.maxConcurrentRequests) or 408 (slower"
                            + " than ingest.minBodyBytesPerSecond): "
                            + slow.outcomes());
        }
        assertEquals(200, get("/healthz", null, Duration.ofSeconds(1)).statusCode());
    }

    /** {@code /healthz}, {@code /metrics} and {@code /api/v1/apps} each answer 200 within 1 s. */
    private static void probeOnce() throws Exception {
        for (String path : List.of("/healthz", "/metrics", "/api/v1/apps")) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(path, READER, Duration.ofSeconds(1));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
            assertTrue(ms < 1000, path + " took " + ms + " ms");
        }
    }

    @Test
    void aForgedSequenceJumpCannotSilenceAnotherApp() throws Exception {
        long now = System.currentTimeMillis();
        String app = "victim app";
        assertEquals(200, service.ingest(victim(app).streamingStarted(now, 1000)).statusCode());

        HttpResponse<String> forged =
                service.ingest(
                        victim(app)
                                .startingAt(Long.MAX_VALUE - 1)
                                .completed(now - 5000, 5, 15, 3, null));
        assertEquals(400, forged.statusCode(), forged::body);
        assertTrue(forged.body().contains("events[0].seq"), forged::body);

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r =
                    service.ingest(
                            victim(app)
                                    .startingAt(2 + i)
                                    .completed(now - 4000 + i * 1000, 5, 15, 3, null));
            assertEquals(200, r.statusCode(), r::body);
            JsonNode ack = ServiceProcess.JSON.readTree(r.body());
            assertEquals(1, ack.get("accepted").asInt(), r::body);
            assertEquals(0, ack.get("duplicates").asInt(), r::body);
        }
        assertEquals(3, service.batches(app, 100).size(), "every genuine batch is recorded");
    }

    @Test
    void theIngestTokenCannotReadTheApi() throws Exception {
        assertEquals(
                200,
                service.ingest(
                                victim("seen app")
                                        .streamingStarted(System.currentTimeMillis(), 1000))
                        .statusCode());
        for (String path :
                List.of(
                        "/api/v1/apps",
                        "/api/v1/apps/" + ServiceProcess.encode("seen app"),
                        "/api/v1/alerts")) {
            HttpResponse<String> r = get(path, INGEST, Duration.ofSeconds(5));
            assertEquals(403, r.statusCode(), () -> path + ": " + r.body());
            assertTrue(r.body().contains("reader token"), r::body);
            assertEquals(200, get(path, READER, Duration.ofSeconds(5)).statusCode(), path);
        }
    }

    /** The victim's listener: one app id and instance for every request. */
    private static Events victim(String app) {
        return Events.from(app, "app-hostile-1");
    }

    private static HttpResponse<String> get(String path, String token, Duration timeout)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(timeout);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
