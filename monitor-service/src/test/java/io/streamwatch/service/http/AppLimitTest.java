package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.StreamwatchService;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.testkit.Events;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppLimitTest {
    private static HttpResponse<String> post(int port, String body, String token) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void appsBeyondMaxAppsGet429AndKnownAppsKeepWorking() throws Exception {
        var config =
                ConfigLoader.load(
                                null,
                                Map.of(
                                        "STREAMWATCH_SERVER_HOST",
                                        "127.0.0.1",
                                        "STREAMWATCH_SERVER_PORT",
                                        "0",
                                        "STREAMWATCH_STORAGE_DIR",
                                        ServiceHttpTest.tempDir("limits").toString(),
                                        "STREAMWATCH_INGEST_TOKENS",
                                        "t",
                                        "STREAMWATCH_INGEST_MAX_APPS",
                                        "2"))
                        .config();
        MutableClock clock = MutableClock.atSystemTime();
        try (StreamwatchService s = new StreamwatchService(config, clock).start()) {
            long now = clock.millis();
            assertEquals(
                    200,
                    post(s.port(), Events.from("one", "a1").heartbeat(now).json(), "t")
                            .statusCode());
            assertEquals(
                    200,
                    post(s.port(), Events.from("two", "a2").heartbeat(now).json(), "t")
                            .statusCode());
            HttpResponse<String> third =
                    post(s.port(), Events.from("three", "a3").heartbeat(now).json(), "t");
            assertEquals(429, third.statusCode());
            assertTrue(third.body().contains("ingest.maxApps"), third.body());
            assertEquals(
                    200,
                    post(s.port(), Events.from("one", "a1").heartbeat(now).json(), "t")
                            .statusCode());
            assertEquals(2, s.registry().size());
        }
    }

    @Test
    void withoutAnyTokenIngestIsClosed() throws Exception {
        var config =
                ConfigLoader.load(
                                null,
                                Map.of(
                                        "STREAMWATCH_SERVER_HOST",
                                        "127.0.0.1",
                                        "STREAMWATCH_SERVER_PORT",
                                        "0",
                                        "STREAMWATCH_STORAGE_DIR",
                                        ServiceHttpTest.tempDir("limits").toString()))
                        .config();
        try (StreamwatchService s =
                new StreamwatchService(config, MutableClock.atSystemTime()).start()) {
            HttpResponse<String> r =
                    post(
                            s.port(),
                            Events.from("x", "y").heartbeat(System.currentTimeMillis()).json(),
                            "anything");
            assertEquals(401, r.statusCode());
            assertTrue(r.body().contains("ingest is closed"), r.body());
        }
    }

    @Test
    void allowUnauthenticatedOpensIngestExplicitly() throws Exception {
        var config =
                ConfigLoader.load(
                                null,
                                Map.of(
                                        "STREAMWATCH_SERVER_HOST",
                                        "127.0.0.1",
                                        "STREAMWATCH_SERVER_PORT",
                                        "0",
                                        "STREAMWATCH_STORAGE_DIR",
                                        ServiceHttpTest.tempDir("limits").toString(),
                                        "STREAMWATCH_INGEST_ALLOW_UNAUTHENTICATED",
                                        "true"))
                        .config();
        try (StreamwatchService s =
                new StreamwatchService(config, MutableClock.atSystemTime()).start()) {
            assertEquals(
                    200,
                    post(
                                    s.port(),
                                    Events.from("x", "y")
                                            .heartbeat(System.currentTimeMillis())
                                            .json(),
                                    null)
                            .statusCode());
        }
    }
}
