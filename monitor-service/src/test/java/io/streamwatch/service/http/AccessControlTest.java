package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.INGEST;
import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Who may do what, endpoint by endpoint: ingest needs an ingest token; the read API a reader token
 * (an ingest token is refused with 403: it only writes); {@code /metrics} is open unless {@code
 * metrics.requireToken}; health and the runbook are open. No token (accepted or not) is ever echoed
 * in a response or written to the log.
 */
class AccessControlTest {
    private static final String WRONG = "wrong-secret-5b1d";
    private static final String APP = "guarded app";
    private static RootLogs logs;
    private static Level streamwatchLevel;
    private static LoopbackService open;
    private static LoopbackService guarded;

    @BeforeAll
    static void start() throws Exception {
        Logger ours = (Logger) LoggerFactory.getLogger("io.streamwatch");
        streamwatchLevel = ours.getLevel();
        ours.setLevel(Level.DEBUG);
        logs = new RootLogs();
        open = LoopbackService.start("auth-open", Map.of());
        guarded =
                LoopbackService.start(
                        "auth-guarded", Map.of("STREAMWATCH_METRICS_REQUIRE_TOKEN", "true"));
        for (LoopbackService s : List.of(open, guarded)) {
            assertEquals(
                    200,
                    s.ingest(
                                    Events.from(APP, "app-g")
                                            .streamingStarted(s.clock.millis(), 1000)
                                            .completed(s.clock.millis(), 1, 10, 1, null))
                            .status());
        }
    }

    @AfterAll
    static void stop() {
        open.close();
        guarded.close();
        logs.close();
        ((Logger) LoggerFactory.getLogger("io.streamwatch")).setLevel(streamwatchLevel);
        assertFalse(
                logs.lines().isEmpty(), "the log was captured (the check below is not vacuous)");
        for (String line : logs.lines()) {
            for (String secret : List.of(INGEST, READER, WRONG)) {
                assertFalse(line.contains(secret), "a token in the log: " + line);
            }
        }
    }

    enum Who {
        NOBODY(null),
        WRONG_TOKEN("Bearer " + WRONG),
        READER_TOKEN("Bearer " + READER),
        INGEST_TOKEN("Bearer " + INGEST),
        READER_AS_BASIC("Basic " + READER);

        final String header;

        Who(String header) {
            this.header = header;
        }
    }

    private static final String BATCHES = "/api/v1/apps/" + LoopbackService.path(APP) + "/batches";
    private static final String ONE_APP = "/api/v1/apps/" + LoopbackService.path(APP);
    private static final List<String> READ_API =
            List.of("/api/v1/apps", ONE_APP, BATCHES, "/api/v1/alerts", "/api/v1/alerts?state=all");
    private static final List<String> OPEN = List.of("/healthz", "/readyz", "/runbook");

    static Stream<Arguments> everyEndpointAndCredential() {
        List<Arguments> out = new ArrayList<>();
        for (Who who : Who.values()) {
            int reads = who == Who.READER_TOKEN ? 200 : who == Who.INGEST_TOKEN ? 403 : 401;
            out.add(
                    Arguments.of(
                            "open",
                            "POST",
                            "/api/v1/events",
                            who,
                            who == Who.INGEST_TOKEN ? 200 : 401));
            for (String method : List.of("GET", "HEAD")) {
                for (String path : READ_API)
                    out.add(Arguments.of("open", method, path, who, reads));
                out.add(Arguments.of("open", method, "/metrics", who, 200));
                out.add(Arguments.of("guarded", method, "/metrics", who, reads));
                for (String path : OPEN) out.add(Arguments.of("guarded", method, path, who, 200));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} {2} as {3} -> {4}")
    @MethodSource("everyEndpointAndCredential")
    void everyEndpointChecksItsCredentialAndNeverEchoesOne(
            String service, String method, String path, Who who, int expected) throws Exception {
        LoopbackService s = service.equals("open") ? open : guarded;
        byte[] body =
                method.equals("POST")
                        ? Events.from(APP, "app-g")
                                .heartbeat(s.clock.millis())
                                .json()
                                .getBytes(StandardCharsets.UTF_8)
                        : null;
        List<String> headers = new ArrayList<>();
        if (who.header != null) headers.addAll(List.of("Authorization", who.header));
        if (body != null) headers.addAll(List.of("Content-Type", "application/json"));
        String before = s.snapshot(APP);
        LoopbackService.Response r = s.send(method, path, body, headers.toArray(String[]::new));
        assertEquals(expected, r.status(), () -> method + " " + path + " as " + who + ": " + r);
        if (expected == 403 && !method.equals("HEAD"))
            assertRefused(r, 403, "this is an ingest token: it may only send events");
        if (expected == 401) {
            if (!method.equals("HEAD"))
                assertRefused(r, 401, who == Who.NOBODY ? "missing bearer token" : "");
            if (method.equals("POST"))
                assertEquals(before, s.snapshot(APP), "a refused ingest changed nothing");
        }
        for (String secret : List.of(INGEST, READER, WRONG)) {
            assertFalse(r.body().contains(secret), () -> "a token echoed in " + r);
            assertFalse(
                    r.headers().toString().contains(secret),
                    () -> "a token echoed in the headers of " + r);
        }
    }

    static Stream<Arguments> oddAuthorizationHeaders() {
        return Stream.of(
                Arguments.of("scheme in lower case", "bearer " + READER, 200),
                Arguments.of("two spaces", "Bearer  " + READER, 200),
                Arguments.of("trailing space", "Bearer " + READER + " ", 200),
                Arguments.of("tab instead of space", "Bearer\t" + READER, 401),
                Arguments.of("no space", "Bearer" + READER, 401),
                Arguments.of("scheme only", "Bearer", 401),
                Arguments.of("scheme and space only", "Bearer ", 401),
                Arguments.of("empty", "", 401),
                Arguments.of("token with a prefix", "Bearer x" + READER, 401),
                Arguments.of("token with a suffix", "Bearer " + READER + "x", 401),
                Arguments.of("token twice", "Bearer " + READER + "," + READER, 401),
                Arguments.of("quoted token", "Bearer \"" + READER + "\"", 401),
                Arguments.of(
                        "no-break space after the token (Latin-1 byte)",
                        "Bearer " + READER + "\u00a0",
                        401),
                Arguments.of(
                        "UTF-8 bytes of a non-ASCII token",
                        new String(
                                ("Bearer " + READER + "ö").getBytes(StandardCharsets.UTF_8),
                                StandardCharsets.ISO_8859_1),
                        401),
                Arguments.of(
                        "prefix of the token",
                        "Bearer " + READER.substring(0, READER.length() - 1),
                        401),
                Arguments.of("very long token", "Bearer " + "x".repeat(6000), 401),
                Arguments.of("longer than Jetty's header limit", "Bearer " + "x".repeat(9000), 431),
                Arguments.of("NUL byte", "Bearer " + READER + "\u0000", 400),
                Arguments.of("bare CR", "Bearer " + READER + "\rX: y", 400));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("oddAuthorizationHeaders")
    void oddAuthorizationHeadersAreRefusedCleanlyAndNeverEchoed(
            String name, String header, int expected) throws Exception {
        LoopbackService.Response r =
                open.raw(
                        "GET /api/v1/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                                + header
                                + "\r\nConnection: close\r\n\r\n");
        assertEquals(expected, r.status(), r::toString);
        if (expected != 200) LoopbackService.assertCleanError(r);
        assertFalse(r.body().contains(READER), () -> "the token echoed in " + r);
    }

    @Test
    void requireTokenWithNoTokenConfiguredClosesMetricsAndSaysWhy() throws Exception {
        try (LoopbackService s =
                LoopbackService.start(
                        "auth-none",
                        Map.of(
                                "STREAMWATCH_INGEST_TOKENS",
                                "",
                                "STREAMWATCH_API_TOKENS",
                                "",
                                "STREAMWATCH_METRICS_REQUIRE_TOKEN",
                                "true"))) {
            assertRefused(s.get("/metrics", "anything"), 401, "/metrics is closed");
            assertRefused(s.get("/api/v1/apps", "anything"), 401, "the read API is closed");
            assertEquals(200, s.get("/healthz", null).status());
        }
    }

    @Test
    void theReaderTokenCannotWriteAndAnIngestTokenCannotRead() throws Exception {
        long t = open.clock.millis();
        String body = Events.from("written by reader", "app-r").heartbeat(t).json();
        assertRefused(
                open.post(
                        body.getBytes(StandardCharsets.UTF_8),
                        "Authorization",
                        "Bearer " + READER,
                        "Content-Type",
                        "application/json"),
                401,
                "bearer token not accepted for ingest");
        assertEquals(
                404,
                open.get("/api/v1/apps/" + LoopbackService.path("written by reader"), READER)
                        .status());
        assertEquals(403, open.get("/api/v1/apps", INGEST).status());
        assertTrue(open.get("/api/v1/apps", READER).json().get("apps").size() >= 1);
    }
}
