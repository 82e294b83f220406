package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        List<Socket> sockets = new ArrayList<>();
        Map<Socket, String> answers = new HashMap<>();
        try {
            for (int i = 0; i < SLOW_SENDERS; i++) {
                Socket socket = new Socket("127.0.0.1", service.port());
                socket.getOutputStream()
                        .write(
                                ("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                + "Authorization: Bearer "
                                                + INGEST
                                                + "\r\nContent-Type: application/json\r\n"
                                                + "Content-Length: 500000\r\n\r\n{")
                                        .getBytes(StandardCharsets.ISO_8859_1));
                sockets.add(socket);
            }
            long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            int probes = 0;
            while (System.nanoTime() < end) {
                for (Socket socket : sockets) {
                    if (!answers.containsKey(socket)) trickle(socket, answers);
                }
                for (String path : List.of("/healthz", "/metrics", "/api/v1/apps")) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = get(path, READER, Duration.ofSeconds(1));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
                    assertTrue(ms < 1000, path + " took " + ms + " ms");
                    probes++;
                }
                Thread.sleep(1000);
            }
            assertTrue(probes >= 12, "probes made: " + probes);
            Map<String, Integer> outcomes = new TreeMap<>();
            for (String a : answers.values()) outcomes.merge(a, 1, Integer::sum);
            int refused =
                    outcomes.getOrDefault("HTTP/1.1 503", 0)
                            + outcomes.getOrDefault("HTTP/1.1 408", 0);
            assertTrue(
                    refused >= SLOW_SENDERS - 40,
                    "slow senders answered 503 (over ingest.maxConcurrentRequests) or 408 (slower"
                            + " than ingest.minBodyBytesPerSecond): "
                            + outcomes);
        } finally {
            for (Socket socket : sockets) socket.close();
        }
        assertEquals(200, get("/healthz", null, Duration.ofSeconds(1)).statusCode());
    }

    /** Takes the service's answer when one came (its status line), else sends one more byte. */
    private static void trickle(Socket socket, Map<Socket, String> answers) {
        try {
            InputStream in = socket.getInputStream();
            if (in.available() > 0) {
                answers.put(socket, new String(in.readNBytes(12), StandardCharsets.ISO_8859_1));
                return;
            }
            OutputStream out = socket.getOutputStream();
            out.write(' ');
            out.flush();
        } catch (IOException closed) {
            answers.put(socket, "closed without an answer");
        }
    }

    @Test
    void aForgedSequenceJumpCannotSilenceAnotherApp() throws Exception {
        long now = System.currentTimeMillis();
        String app = "victim app";
        assertEquals(200, post(envelope(app, streamingStarted(1, now))).statusCode());

        HttpResponse<String> forged =
                post(envelope(app, completed(Long.MAX_VALUE - 1, now - 5000)));
        assertEquals(400, forged.statusCode(), forged::body);
        assertTrue(forged.body().contains("events[0].seq"), forged::body);

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = post(envelope(app, completed(2 + i, now - 4000 + i * 1000)));
            assertEquals(200, r.statusCode(), r::body);
            JsonNode ack = ServiceProcess.JSON.readTree(r.body());
            assertEquals(1, ack.get("accepted").asInt(), r::body);
            assertEquals(0, ack.get("duplicates").asInt(), r::body);
        }
        assertEquals(3, service.batches(app, 100).size(), "every genuine batch is recorded");
    }

    @Test
    void theIngestTokenCannotReadTheApi() throws Exception {
        assertEquals(200, post(envelope("seen app", streamingStarted(1, 0))).statusCode());
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

    private static String envelope(String app, String event) {
        return "{\"schema\":1,\"source\":{\"app\":\""
                + app
                + "\",\"appId\":\"app-hostile-1\",\"instance\":\"listener-1\"},"
                + "\"events\":["
                + event
                + "]}";
    }

    private static String streamingStarted(long seq, long time) {
        long t = time == 0 ? System.currentTimeMillis() : time;
        return "{\"type\":\"streamingStarted\",\"time\":"
                + t
                + ",\"seq\":"
                + seq
                + ",\"startTime\":"
                + t
                + ",\"batchIntervalMs\":1000}";
    }

    private static String completed(long seq, long batchTime) {
        return "{\"type\":\"batchCompleted\",\"time\":"
                + (batchTime + 20)
                + ",\"seq\":"
                + seq
                + ",\"batch\":{\"batchTime\":"
                + batchTime
                + ",\"submissionTime\":"
                + batchTime
                + ",\"processingStartTime\":"
                + (batchTime + 5)
                + ",\"processingEndTime\":"
                + (batchTime + 20)
                + ",\"schedulingDelayMs\":5,\"processingTimeMs\":15,\"totalDelayMs\":20,"
                + "\"records\":3,\"inputs\":[],\"outputOps\":[],\"failed\":false,"
                + "\"failureReason\":null}}";
    }

    private static HttpResponse<String> post(String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/events"))
                        .header("Authorization", "Bearer " + INGEST)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String token, Duration timeout)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(timeout);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
