package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.INGEST;
import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertCleanError;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.Events;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP itself abused, over a raw socket: broken framing, lying Content-Length, chunked bodies, odd
 * paths and percent-encoding, oversized URIs, wrong methods, query-parameter games. Jetty answers
 * some of these before any route runs; those answers are JSON too.
 */
class HttpEdgeCasesTest {
    private static final String APP = "edge";
    private static LoopbackService svc;
    private static String body;

    @BeforeAll
    static void start() throws Exception {
        svc = LoopbackService.start("edge", Map.of());
        long t = svc.clock.millis();
        assertEquals(
                200,
                svc.ingest(
                                Events.from(APP, "app-e")
                                        .streamingStarted(t, 1000)
                                        .completed(t, 1, 10, 1, null))
                        .status());
        body = Events.from(APP, "app-e").startingAt(10).completed(t + 1000, 1, 10, 1, null).json();
    }

    @AfterAll
    static void stop() {
        svc.close();
    }

    private static String get(String target, String token) {
        return "GET "
                + target
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Connection: close\r\n\r\n";
    }

    private static String post(String headers, String content) {
        return "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + INGEST
                + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + headers
                + "\r\n"
                + content;
    }

    private static String chunked(String s, int size) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i += size) {
            String part = s.substring(i, Math.min(s.length(), i + size));
            out.append(Integer.toHexString(part.length()))
                    .append("\r\n")
                    .append(part)
                    .append("\r\n");
        }
        return out.append("0\r\n\r\n").toString();
    }

    static Stream<Arguments> malformedRequests() {
        String key = "k".repeat(5000);
        return Stream.of(
                // paths and percent-encoding (Jetty refuses what it cannot decode)
                Arguments.of(
                        "bad percent-encoding in the path",
                        get("/api/v1/apps/%ZZ", READER),
                        400,
                        "malformed HTTP request"),
                Arguments.of(
                        "truncated percent-encoding",
                        get("/api/v1/apps/abc%2", READER),
                        400,
                        "malformed HTTP request"),
                Arguments.of(
                        "encoded NUL in the path",
                        get("/api/v1/apps/a%00b", READER),
                        400,
                        "malformed HTTP request"),
                Arguments.of(
                        "raw non-ASCII byte in the path",
                        get("/api/v1/apps/\u00ff", READER),
                        400,
                        "malformed HTTP request"),
                Arguments.of(
                        "raw space in the path",
                        get("/api/v1/apps/a b", READER),
                        400,
                        "malformed HTTP request"),
                Arguments.of(
                        "invalid UTF-8 percent-encoded",
                        get("/api/v1/apps/%C3%28", READER),
                        404,
                        "unknown app"),
                Arguments.of(
                        "encoded slash in an app key",
                        get("/api/v1/apps/a%2Fb", READER),
                        404,
                        "unknown app 'a/b'"),
                Arguments.of(
                        "dot segments",
                        get("/api/v1/apps/%2E%2E/%2E%2E/metrics", READER),
                        404,
                        "not found"),
                Arguments.of(
                        "empty app key", get("/api/v1/apps//batches", READER), 404, "not found"),
                Arguments.of(
                        "URI longer than 8 KiB",
                        get("/api/v1/apps/" + "a".repeat(9000), READER),
                        414,
                        "URI Too Long"),
                Arguments.of(
                        "long app key is clipped in the answer",
                        get("/api/v1/apps/" + key, READER),
                        404,
                        "unknown app 'kkkk"),
                // query strings
                Arguments.of(
                        "bad percent-encoding in the query",
                        get("/api/v1/apps/" + APP + "/batches?limit=%ZZ", READER),
                        400,
                        "query string: malformed percent-encoding"),
                Arguments.of(
                        "limit given twice",
                        get("/api/v1/apps/" + APP + "/batches?limit=1&limit=1000", READER),
                        400,
                        "limit: given 2 times"),
                Arguments.of(
                        "limit with NUL",
                        get("/api/v1/apps/" + APP + "/batches?limit=1%00", READER),
                        400,
                        "limit: must be a whole number"),
                Arguments.of(
                        "limit with a sign",
                        get("/api/v1/apps/" + APP + "/batches?limit=-1", READER),
                        400,
                        "limit"),
                Arguments.of(
                        "limit with spaces",
                        get("/api/v1/apps/" + APP + "/batches?limit=%201", READER),
                        400,
                        "limit"),
                Arguments.of(
                        "limit as an exponent",
                        get("/api/v1/apps/" + APP + "/batches?limit=1e2", READER),
                        400,
                        "limit"),
                Arguments.of(
                        "limit beyond int",
                        get("/api/v1/apps/" + APP + "/batches?limit=99999999999999999999", READER),
                        400,
                        "limit"),
                Arguments.of(
                        "limit empty",
                        get("/api/v1/apps/" + APP + "/batches?limit=", READER),
                        400,
                        "limit"),
                Arguments.of(
                        "state in the wrong case",
                        get("/api/v1/alerts?state=ALL", READER),
                        400,
                        "state: must be firing or all"),
                Arguments.of(
                        "state given twice",
                        get("/api/v1/alerts?state=all&state=firing", READER),
                        400,
                        "state: given 2 times"),
                Arguments.of(
                        "state very long",
                        get("/api/v1/alerts?state=" + "x".repeat(6000), READER),
                        400,
                        "state: must be firing or all"),
                Arguments.of(
                        "query longer than 8 KiB",
                        get("/api/v1/alerts?state=" + "x".repeat(9000), READER),
                        414,
                        "URI Too Long"),
                // framing and headers
                Arguments.of("not HTTP at all", "GARBAGE\r\n\r\n", 400, "malformed HTTP request"),
                Arguments.of(
                        "no Host header",
                        "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
                        400,
                        "No Host"),
                Arguments.of(
                        "header block over 8 KiB",
                        "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Pad: "
                                + "p".repeat(9000)
                                + "\r\n\r\n",
                        431,
                        "Request Header Fields Too Large"),
                Arguments.of(
                        "control character in a header",
                        "GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\u0001c\r\n\r\n",
                        400,
                        "malformed HTTP request"),
                Arguments.of(
                        "HTTP/2 preface without TLS",
                        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                        426,
                        "malformed HTTP request"),
                Arguments.of(
                        "negative Content-Length",
                        post("Content-Length: -5\r\n", body),
                        400,
                        "Content-Length"),
                Arguments.of(
                        "Content-Length beyond long",
                        post("Content-Length: 99999999999999999999\r\n", body),
                        400,
                        "malformed HTTP request"),
                Arguments.of(
                        "two Content-Lengths",
                        post("Content-Length: 10\r\nContent-Length: 12\r\n", body),
                        400,
                        "Multiple Content-Lengths"),
                Arguments.of(
                        "Content-Length and chunked",
                        post(
                                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                                chunked(body, 100)),
                        400,
                        "Transfer-Encoding and Content-Length"),
                Arguments.of(
                        "Content-Length shorter than the body",
                        post("Content-Length: 40\r\n", body),
                        400,
                        "body is not valid JSON"),
                Arguments.of(
                        "Content-Length longer than the body (the client half-closes)",
                        post("Content-Length: " + (body.length() + 500) + "\r\n", body),
                        400,
                        "the request body could not be read"),
                Arguments.of(
                        "Content-Length over the limit",
                        post("Content-Length: 10000000\r\n", body),
                        413,
                        "ingest.maxBodyBytes"),
                Arguments.of(
                        "broken chunk size",
                        post("Transfer-Encoding: chunked\r\n", "ZZ\r\n" + body + "\r\n0\r\n\r\n"),
                        400,
                        "the request body could not be read"),
                Arguments.of(
                        "chunked body cut off",
                        post("Transfer-Encoding: chunked\r\n", "400\r\n" + body),
                        400,
                        "the request body could not be read"),
                Arguments.of(
                        "chunked body over the limit",
                        post("Transfer-Encoding: chunked\r\n", chunked("x".repeat(70_000), 4096)),
                        413,
                        "ingest.maxBodyBytes"),
                Arguments.of(
                        "unknown transfer coding",
                        post("Transfer-Encoding: gzip\r\n", body),
                        400,
                        "malformed HTTP request"),
                // methods
                Arguments.of(
                        "PUT on ingest",
                        "PUT /api/v1/events HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        405,
                        "method PUT is not allowed on /api/v1/events"),
                Arguments.of(
                        "GET on ingest",
                        get("/api/v1/events", INGEST),
                        405,
                        "method GET is not allowed"),
                Arguments.of(
                        "DELETE an app",
                        "DELETE /api/v1/apps/"
                                + APP
                                + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer "
                                + INGEST
                                + "\r\nConnection: close\r\n\r\n",
                        405,
                        "method DELETE is not allowed"),
                Arguments.of(
                        "PATCH the alerts",
                        "PATCH /api/v1/alerts HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        405,
                        "not allowed"),
                Arguments.of(
                        "POST to metrics",
                        "POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        405,
                        "not allowed"),
                Arguments.of(
                        "OPTIONS",
                        "OPTIONS /api/v1/apps HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                        405,
                        "not allowed"),
                Arguments.of(
                        "TRACE",
                        "TRACE /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                        405,
                        "not allowed"),
                Arguments.of(
                        "an invented method",
                        "BREW /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                        405,
                        "not allowed"),
                Arguments.of("unknown endpoint", get("/api/v1/secrets", READER), 404, "not found"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("malformedRequests")
    void aMalformedRequestGetsA4xxJsonErrorAndChangesNothing(
            String name, String request, int status, String fragment) throws Exception {
        String before = svc.snapshot(APP);
        LoopbackService.Response r = svc.raw(request);
        assertRefused(r, status, fragment);
        assertTrue(
                r.body().length() < 1200,
                () -> "a bounded answer: " + r.body().length() + " characters");
        assertEquals(before, svc.snapshot(APP), "nothing was applied");
    }

    @Test
    void aChunkedBodyIsAcceptedLikeAnyOther() throws Exception {
        String events =
                Events.from(APP, "app-e")
                        .startingAt(50)
                        .completed(svc.clock.millis() + 2000, 1, 10, 1, null)
                        .json();
        LoopbackService.Response r =
                svc.raw(post("Transfer-Encoding: chunked\r\n", chunked(events, 7)));
        assertEquals(200, r.status(), r::toString);
        assertEquals(1, r.json().get("accepted").asInt());
    }

    @Test
    void headMirrorsGetWithoutABody() throws Exception {
        assertEquals(
                200,
                svc.send("HEAD", "/api/v1/apps/" + APP, null, "Authorization", "Bearer " + READER)
                        .status());
        assertEquals(
                404,
                svc.send(
                                "HEAD",
                                "/api/v1/apps/nothing-here",
                                null,
                                "Authorization",
                                "Bearer " + READER)
                        .status());
        assertEquals(
                400,
                svc.send(
                                "HEAD",
                                "/api/v1/apps/" + APP + "/batches?limit=0",
                                null,
                                "Authorization",
                                "Bearer " + READER)
                        .status());
        assertEquals(200, svc.send("HEAD", "/readyz", null).status());
    }

    /**
     * The one answer that is not a 4xx: a request line naming an HTTP version Jetty does not know.
     * RFC 9110 prescribes 505 for it, and Jetty sends it while parsing, before any handler runs. It
     * is still JSON without internals, and the server keeps serving.
     */
    @Test
    void anUnknownHttpVersionIs505FromJettyStillJson() throws Exception {
        LoopbackService.Response r = svc.raw("GET /healthz HTTP/9.9\r\nHost: a\r\n\r\n");
        assertEquals(505, r.status());
        assertCleanError(r);
        assertEquals(200, svc.get("/healthz", null).status());
    }

    @Test
    void aPipelinedSecondRequestAfterALyingContentLengthIsRefusedOnItsOwn() throws Exception {
        // The first 40 bytes are the first request's whole body; the rest is read as a second
        // request.
        String request =
                "POST /api/v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer "
                        + INGEST
                        + "\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
                        + body;
        LoopbackService.Response r = svc.raw(request);
        assertRefused(r, 400, "body is not valid JSON");
        assertEquals(200, svc.get("/healthz", null).status());
    }
}
