package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.INGEST;
import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamwatch.service.MutableClock;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ingest tokens bound to app keys ({@code ingest.appTokens}): a bound token writes its own apps and
 * is refused with 403 for any other, before anything of the request is applied; an unbound token
 * ({@code ingest.tokens}) still writes any app. No token is echoed or logged.
 */
class AppTokenTest {
    private static final String ORDERS_TOKEN = "orders-billing-secret-3c8e";
    private static final String FILE_TOKEN = "files-secret-from-file-a41d";
    private static RootLogs logs;
    private static LoopbackService s;

    @BeforeAll
    static void start() throws Exception {
        logs = new RootLogs();
        Path dir = ServiceHttpTest.tempDir("app-tokens-config");
        Path tokenFile = dir.resolve("files.tokens");
        Files.writeString(tokenFile, "# the files team\n" + FILE_TOKEN + "\n");
        Path yaml = dir.resolve("streamwatch.yaml");
        Files.writeString(
                yaml,
                "ingest:\n"
                        + "  appTokens:\n"
                        + "    - apps: [orders, billing]\n"
                        + "      token: "
                        + ORDERS_TOKEN
                        + "\n"
                        + "    - apps: [files]\n"
                        + "      tokenFile: "
                        + tokenFile
                        + "\n");
        s = LoopbackService.start("app-tokens", yaml, Map.of(), MutableClock.atSystemTime());
        assertEquals(200, send(INGEST, events("payments", "payments-1")).status());
    }

    @AfterAll
    static void stop() {
        s.close();
        logs.close();
        assertFalse(logs.lines().isEmpty(), "the log was captured (the check is not vacuous)");
        for (String line : logs.lines()) {
            for (String secret : List.of(ORDERS_TOKEN, FILE_TOKEN, INGEST)) {
                assertFalse(line.contains(secret), "a token in the log: " + line);
            }
        }
    }

    private static Events events(String app, String appId) {
        long now = s == null ? System.currentTimeMillis() : s.clock.millis();
        // No UI URL: the REST poller must not change an app between two snapshots of a test.
        return Events.from(app, appId)
                .uiUrl(null)
                .streamingStarted(now, 1000)
                .completed(now, 1, 10, 1, null);
    }

    private static LoopbackService.Response send(String token, Events e) throws Exception {
        return s.post(
                e.json().getBytes(StandardCharsets.UTF_8),
                "Authorization",
                "Bearer " + token,
                "Content-Type",
                "application/json");
    }

    private static void assertNoToken(LoopbackService.Response r) {
        for (String secret : List.of(ORDERS_TOKEN, FILE_TOKEN, INGEST)) {
            assertFalse(r.body().contains(secret), () -> "a token echoed in " + r);
            assertFalse(r.headers().toString().contains(secret), () -> "a token in " + r);
        }
    }

    @Test
    void aBoundTokenWritesItsOwnApps() throws Exception {
        assertEquals(200, send(ORDERS_TOKEN, events("orders", "orders-1")).status());
        assertEquals(200, send(ORDERS_TOKEN, events("billing", "billing-1")).status());
        assertEquals(200, send(FILE_TOKEN, events("files", "files-1")).status());
        assertEquals(200, s.get("/api/v1/apps/orders", READER).status());
        assertEquals(200, s.get("/api/v1/apps/files", READER).status());
    }

    @Test
    void aBoundTokenCannotForgeAnotherAppsEvents() throws Exception {
        String before = s.snapshot("payments");
        LoopbackService.Response r =
                send(ORDERS_TOKEN, events("payments", "forged").startingAt(500));
        assertRefused(
                r,
                403,
                "this ingest token may only send events for apps [orders, billing]; got"
                        + " 'payments'");
        assertNoToken(r);
        assertEquals(before, s.snapshot("payments"), "the refused request changed nothing");

        LoopbackService.Response f = send(FILE_TOKEN, events("orders", "forged"));
        assertRefused(f, 403, "may only send events for apps [files]; got 'orders'");
        assertNoToken(f);
    }

    @Test
    void aBoundTokenCannotCreateANewApp() throws Exception {
        LoopbackService.Response r = send(ORDERS_TOKEN, events("invented", "x"));
        assertRefused(r, 403, "got 'invented'");
        assertEquals(404, s.get("/api/v1/apps/invented", READER).status());
    }

    @Test
    void anUnboundTokenStillWritesAnyApp() throws Exception {
        assertEquals(200, send(INGEST, events("orders", "orders-1")).status());
        assertEquals(200, send(INGEST, events("anything", "a-1")).status());
    }

    @Test
    void aBoundTokenIsAnIngestTokenThatCannotRead() throws Exception {
        assertRefused(s.get("/api/v1/apps", ORDERS_TOKEN), 403, "this is an ingest token");
        assertRefused(s.get("/api/v1/apps", FILE_TOKEN), 403, "this is an ingest token");
    }
}
