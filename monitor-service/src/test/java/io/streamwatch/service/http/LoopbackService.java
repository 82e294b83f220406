package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.StreamwatchService;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.testkit.Events;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A real service on a loopback port with a clock the test moves, plus the two ways hostile clients
 * talk to it: the JDK client (well-formed HTTP) and a raw socket (anything at all).
 */
final class LoopbackService implements AutoCloseable {
    static final String INGEST = "ingest-secret-7f3a";
    static final String READER = "reader-secret-91c2";

    /**
     * What must never reach a client: stack frames, exception and class names, HTML error pages.
     */
    private static final List<String> INTERNALS =
            List.of(
                    "Exception",
                    "\tat ",
                    "at io.",
                    "at java.",
                    "java.",
                    "javax.",
                    "jakarta.",
                    "org.eclipse",
                    "com.fasterxml",
                    "io.javalin",
                    "io.streamwatch",
                    "StreamReadConstraints",
                    "JsonReadFeature",
                    "StreamReadFeature",
                    "DeserializationFeature",
                    "<h1>",
                    "<html",
                    "Jetty",
                    "Caused by");

    final MutableClock clock;
    final StreamwatchService service;
    private final HttpClient http = HttpClient.newHttpClient();

    private LoopbackService(Path configFile, Map<String, String> env, MutableClock clock) {
        this.clock = clock;
        this.service =
                new StreamwatchService(ConfigLoader.load(configFile, env).config(), clock).start();
    }

    /**
     * A service with one ingest and one reader token; {@code overrides} are STREAMWATCH_* variables
     * ("" removes one).
     */
    static LoopbackService start(String name, Map<String, String> overrides) {
        return start(name, overrides, MutableClock.atSystemTime());
    }

    static LoopbackService start(String name, Map<String, String> overrides, MutableClock clock) {
        return start(name, null, overrides, clock);
    }

    /** As {@link #start(String, Map)}, with a YAML file for what the environment cannot set. */
    static LoopbackService start(
            String name, Path configFile, Map<String, String> overrides, MutableClock clock) {
        Map<String, String> env = new HashMap<>();
        env.put("STREAMWATCH_SERVER_HOST", "127.0.0.1");
        env.put("STREAMWATCH_SERVER_PORT", "0");
        env.put("STREAMWATCH_STORAGE_DIR", ServiceHttpTest.tempDir(name).toString());
        env.put("STREAMWATCH_INGEST_TOKENS", INGEST);
        env.put("STREAMWATCH_API_TOKENS", READER);
        env.put("STREAMWATCH_INGEST_MAX_BODY_BYTES", "65536");
        env.put("STREAMWATCH_INGEST_MAX_EVENTS_PER_REQUEST", "100");
        env.putAll(overrides);
        env.values()
                .removeIf(String::isEmpty); // an empty override removes a default, e.g. the tokens
        return new LoopbackService(configFile, env, clock);
    }

    int port() {
        return service.port();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    /** A response from either client, headers with lower-case names. */
    record Response(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return Events.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    Response send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base() + path))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        Map<String, String> h = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        return new Response(r.statusCode(), h, new String(r.body(), StandardCharsets.UTF_8));
    }

    Response get(String path, String token) throws Exception {
        return token == null
                ? send("GET", path, null)
                : send("GET", path, null, "Authorization", "Bearer " + token);
    }

    Response post(byte[] body, String... headers) throws Exception {
        return send("POST", "/api/v1/events", body, headers);
    }

    Response ingest(String json) throws Exception {
        return post(
                json.getBytes(StandardCharsets.UTF_8),
                "Authorization",
                "Bearer " + INGEST,
                "Content-Type",
                "application/json");
    }

    Response ingest(Events e) throws Exception {
        return ingest(e.json());
    }

    /**
     * Writes {@code request} as ISO-8859-1 bytes (so any byte can be sent), half-closes, and reads
     * the answer until the server closes. A reset or silence fails the test: the server must
     * answer.
     */
    Response raw(String request) throws Exception {
        return raw(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    Response raw(byte[] request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            s.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            try {
                in.transferTo(answer);
            } catch (IOException e) {
                if (answer.size() == 0)
                    fail("no answer, the connection failed: " + e + " for " + preview(request));
            }
            return parse(answer.toString(StandardCharsets.UTF_8), request);
        }
    }

    private static String preview(byte[] request) {
        String s =
                new String(request, 0, Math.min(request.length, 120), StandardCharsets.ISO_8859_1);
        return s.replace("\r\n", "|");
    }

    private static Response parse(String text, byte[] request) {
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0)
            fail("not an HTTP answer: '" + text + "' for " + preview(request));
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = unchunk(body);
        return new Response(status, headers, body);
    }

    private static String unchunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int nl = s.indexOf("\r\n", i);
            int size = Integer.parseInt(s.substring(i, nl).trim(), 16);
            if (size == 0) break;
            out.append(s, nl + 2, nl + 2 + size);
            i = nl + 2 + size + 2;
        }
        return out.toString();
    }

    /**
     * Everything a reader can see of {@code app} (404 included), to compare before and after a
     * request.
     */
    String snapshot(String app) throws Exception {
        String key = path(app);
        return get("/api/v1/apps", READER).body
                + "\n"
                + get("/api/v1/apps/" + key, READER).body
                + "\n"
                + get("/api/v1/apps/" + key + "/batches?limit=1000", READER).body;
    }

    static String path(String app) {
        return URLEncoder.encode(app, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * A refusal: the status, a JSON {@code {"error": "<non-empty>"}} body, and nothing of the
     * internals.
     */
    static void assertRefused(Response r, int status, String fragment) {
        assertEquals(status, r.status(), () -> "status of " + r);
        assertCleanError(r);
        String error = r.json().path("error").asText();
        assertTrue(
                error.contains(fragment), () -> "expected '" + fragment + "' in the error of " + r);
    }

    static void assertCleanError(Response r) {
        JsonNode json = r.json();
        assertTrue(
                json.isObject()
                        && json.path("error").isTextual()
                        && !json.path("error").asText().isBlank(),
                () -> "not {\"error\": \"...\"}: " + r);
        assertTrue(
                r.header("content-type") != null
                        && r.header("content-type").startsWith("application/json"),
                () -> "content type " + r.header("content-type") + " of " + r);
        for (String s : INTERNALS) {
            assertFalse(r.body().contains(s), () -> "internals ('" + s + "') in " + r);
        }
    }

    @Override
    public void close() {
        service.close();
    }
}
