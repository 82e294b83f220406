package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.StreamwatchService;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.testkit.Events;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The service over real HTTP on a loopback port, with a clock the test moves. */
class ServiceHttpTest {
    private static final String TOKEN = "ingest-token-1";
    private static final String READER = "reader-token-1";
    private static final MutableClock clock = MutableClock.atSystemTime();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static StreamwatchService service;
    private static String base;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>();
        env.put("STREAMWATCH_SERVER_HOST", "127.0.0.1");
        env.put("STREAMWATCH_SERVER_PORT", "0");
        env.put("STREAMWATCH_STORAGE_DIR", tempDir("service-http").toString());
        env.put("STREAMWATCH_INGEST_TOKENS", TOKEN);
        env.put("STREAMWATCH_API_TOKENS", READER);
        env.put("STREAMWATCH_INGEST_MAX_BODY_BYTES", "65536");
        env.put("STREAMWATCH_INGEST_MAX_APPS", "20");
        env.put("STREAMWATCH_METRICS_APP_RETENTION", "10m");
        ServiceConfig config = ConfigLoader.load(null, env).config();
        service = new StreamwatchService(config, clock).start();
        base = "http://127.0.0.1:" + service.port();
    }

    static java.nio.file.Path tempDir(String name) {
        try {
            return java.nio.file.Files.createTempDirectory("streamwatch-" + name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static HttpResponse<String> post(String body, String... headers) throws Exception {
        return post(body.getBytes(StandardCharsets.UTF_8), headers);
    }

    static HttpResponse<String> post(byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> ingest(Events e) throws Exception {
        return post(
                e.json(), "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return Events.JSON.readTree(r.body());
    }

    static String path(String app) {
        return URLEncoder.encode(app, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String metrics() throws Exception {
        return get("/metrics", null).body();
    }

    static void assertError(HttpResponse<String> r, int status, String fragment)
            throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        String error = json(r).path("error").asText();
        assertTrue(error.contains(fragment), () -> "expected '" + fragment + "' in " + r.body());
        assertFalse(
                r.body().contains("at io.") || r.body().contains("Exception"),
                "no internals in " + r.body());
    }

    @Test
    void acceptedEventsAreCountedAndRetriesAreDuplicates() throws Exception {
        long t = clock.millis();
        Events e =
                Events.from("dup-app", "app-d")
                        .streamingStarted(t, 1000)
                        .completed(t, 5, 100, 7, null);
        JsonNode first = json(ingest(e));
        assertEquals(2, first.get("accepted").asInt());
        assertEquals(0, first.get("duplicates").asInt());
        JsonNode again = json(ingest(e));
        assertEquals(0, again.get("accepted").asInt());
        assertEquals(2, again.get("duplicates").asInt());
        JsonNode batches = json(get("/api/v1/apps/dup-app/batches", READER));
        assertEquals(1, batches.get("batches").size(), "a retried batch appears once");
        assertTrue(
                metrics()
                        .contains(
                                "streamwatch_listener_events_duplicate_total{app=\"dup-app\"} 2"));
    }

    @Test
    void batchesAreServedNewestFirstWithTheContractsFields() throws Exception {
        long t = clock.millis() - 10_000;
        Events e = Events.from("history", "app-h").streamingStarted(t, 1000);
        for (int i = 0; i < 5; i++)
            e.completed(t + i * 1000L, i, 200 + i, 10 + i, i == 3 ? "boom" : null);
        assertEquals(200, ingest(e).statusCode());
        JsonNode batches = json(get("/api/v1/apps/history/batches?limit=3", READER)).get("batches");
        assertEquals(3, batches.size());
        assertEquals(t + 4000, batches.get(0).get("batchTime").asLong());
        assertEquals(t + 3000, batches.get(1).get("batchTime").asLong());
        JsonNode failed = batches.get(1);
        for (String f :
                new String[] {
                    "appId",
                    "batchTime",
                    "submissionTime",
                    "processingStartTime",
                    "processingEndTime",
                    "schedulingDelayMs",
                    "processingTimeMs",
                    "totalDelayMs",
                    "records",
                    "failed",
                    "failureReason"
                }) {
            assertTrue(failed.has(f), "field " + f);
        }
        assertEquals("app-h", failed.get("appId").asText());
        assertEquals(203, failed.get("processingTimeMs").asLong());
        assertEquals(3, failed.get("schedulingDelayMs").asLong());
        assertEquals(206, failed.get("totalDelayMs").asLong());
        assertEquals(13, failed.get("records").asLong());
        assertTrue(failed.get("failed").asBoolean());
        assertEquals("boom", failed.get("failureReason").asText());
        assertTrue(batches.get(0).get("failureReason").isNull());

        String m = metrics();
        assertTrue(m.contains("spark_streaming_batches_completed_total{app=\"history\"} 5"), m);
        assertTrue(m.contains("spark_streaming_batches_failed_total{app=\"history\"} 1"), m);
        assertTrue(m.contains("spark_streaming_records_total{app=\"history\"} 60"), m);
        assertTrue(
                m.contains(
                        "spark_streaming_last_batch_processing_time_seconds{app=\"history\"} 0.204"),
                m);
        assertTrue(m.contains("spark_streaming_last_batch_records{app=\"history\"} 14"), m);
        assertTrue(
                m.contains("spark_streaming_input_rate_records_per_second{app=\"history\"} 14"), m);
        assertTrue(
                m.contains(
                        "spark_streaming_batch_processing_time_seconds_bucket{app=\"history\",le=\"0.25\"} 5"),
                m);
        assertTrue(
                m.contains(
                        "spark_streaming_batch_processing_time_seconds_bucket{app=\"history\",le=\"0.1\"} 0"),
                m);
    }

    @Test
    void limitIsValidated() throws Exception {
        long t = clock.millis();
        ingest(Events.from("limits", "app-l").completed(t, 0, 1, 1, null));
        assertError(
                get("/api/v1/apps/limits/batches?limit=0", READER),
                400,
                "limit: must be a whole number from 1 to");
        assertError(get("/api/v1/apps/limits/batches?limit=abc", READER), 400, "limit");
        assertError(get("/api/v1/apps/limits/batches?limit=99999999", READER), 400, "limit");
    }

    @Test
    void appKeysWithSpacesAndNonAsciiLettersWorkUrlEncoded() throws Exception {
        String key = "Zahlungsströme EU west";
        long t = clock.millis();
        assertEquals(
                200,
                ingest(
                                Events.from(key, "app-u")
                                        .streamingStarted(t, 2000)
                                        .completed(t, 0, 50, 3, null))
                        .statusCode());
        JsonNode app = json(get("/api/v1/apps/" + path(key), READER));
        assertEquals(key, app.get("app").asText());
        assertEquals(2000, app.get("batchIntervalMs").asLong());
        assertEquals(
                1,
                json(get("/api/v1/apps/" + path(key) + "/batches", READER)).get("batches").size());
        assertTrue(
                metrics()
                        .contains("spark_streaming_batch_interval_seconds{app=\"" + key + "\"} 2"));
    }

    @Test
    void aNewAppIdUnderTheSameKeyIsARestartOnTheSameSeries() throws Exception {
        long t = clock.millis();
        ingest(
                Events.from("restarty", "app-r1")
                        .streamingStarted(t, 1000)
                        .completed(t, 0, 10, 1, null));
        ingest(
                Events.from("restarty", "app-r2")
                        .streamingStarted(t + 5000, 1000)
                        .completed(t + 5000, 0, 10, 1, null));
        // A late retry from the first run changes nothing about the current run.
        ingest(
                Events.from("restarty", "app-r1")
                        .startingAt(3)
                        .heartbeat(t + 6000)
                        .completed(t + 1000, 0, 10, 1, null));
        JsonNode app = json(get("/api/v1/apps/restarty", READER));
        assertEquals("app-r2", app.get("appId").asText());
        assertEquals(1, app.get("restarts").asInt());
        String m = metrics();
        assertTrue(m.contains("spark_streaming_app_restarts_total{app=\"restarty\"} 1"), m);
        assertTrue(m.contains("spark_streaming_batches_completed_total{app=\"restarty\"} 3"), m);
        // no attempt id (client mode): the label is left out, which Prometheus reads as empty
        assertTrue(
                m.contains(
                        "spark_streaming_app_info{app=\"restarty\",app_id=\"app-r2\",spark_version=\"3.5.3\",ui_url=\"http://127.0.0.1:4040\"} 1\n"),
                m);
        assertFalse(m.contains("=\"\""), "no label is written empty");
        assertFalse(m.contains("app_id=\"app-r1\""), "only the current run has an info series");
        JsonNode batches = json(get("/api/v1/apps/restarty/batches", READER)).get("batches");
        assertEquals("app-r2", batches.get(0).get("appId").asText());
        assertEquals(3, batches.size());
    }

    @Test
    void waitingBatchesAndReceiverErrorsAreTracked() throws Exception {
        long t = clock.millis();
        ingest(
                Events.from("waiting", "app-w")
                        .submitted(t)
                        .submitted(t + 1000)
                        .submitted(t + 2000)
                        .completed(t, 0, 10, 1, null)
                        .receiverError(t + 100, 0, "connection refused"));
        String m = metrics();
        assertTrue(m.contains("spark_streaming_waiting_batches{app=\"waiting\"} 2"), m);
        assertTrue(m.contains("spark_streaming_receiver_errors_total{app=\"waiting\"} 1"), m);
        assertTrue(m.contains("spark_streaming_receivers_active{app=\"waiting\"} 1"), m);
        JsonNode receivers = json(get("/api/v1/apps/waiting", READER)).get("receivers");
        assertEquals("connection refused", receivers.get(0).get("lastErrorMessage").asText());
    }

    @Test
    void aSequenceGapAndListenerDropsAreRecorded() throws Exception {
        long t = clock.millis();
        ingest(Events.from("gappy", "app-g").completed(t, 0, 10, 1, null));
        ingest(
                Events.from("gappy", "app-g")
                        .startingAt(5)
                        .dropped(3)
                        .completed(t + 1000, 0, 10, 1, null));
        JsonNode listener = json(get("/api/v1/apps/gappy", READER)).get("listener");
        assertEquals(3, listener.get("eventsLost").asInt());
        assertEquals(3, listener.get("eventsDropped").asInt());
    }

    @Test
    void ingestNeedsTheBearerToken() throws Exception {
        String body = Events.from("auth", "app-a").heartbeat(clock.millis()).json();
        assertError(post(body, "Content-Type", "application/json"), 401, "missing bearer token");
        assertError(
                post(body, "Content-Type", "application/json", "Authorization", "Bearer wrong"),
                401,
                "not accepted");
        assertError(
                post(body, "Content-Type", "application/json", "Authorization", "Basic " + TOKEN),
                401,
                "scheme");
        assertError(
                post(body, "Content-Type", "application/json", "Authorization", "Bearer " + READER),
                401,
                "not accepted");
        HttpResponse<String> r =
                post(body, "Content-Type", "application/json", "Authorization", "Bearer wrong");
        assertFalse(r.body().contains("wrong"), "the presented token is not echoed");
        assertEquals(
                404,
                get("/api/v1/apps/auth", READER).statusCode(),
                "a refused request creates no app");
    }

    @Test
    void theReadApiNeedsAReaderToken() throws Exception {
        assertError(get("/api/v1/apps", null), 401, "missing bearer token");
        assertError(get("/api/v1/apps", "nope"), 401, "not accepted");
        assertEquals(200, get("/api/v1/apps", READER).statusCode());
        assertError(get("/api/v1/apps", TOKEN), 403, "ingest token");
        assertEquals(200, get("/metrics", null).statusCode(), "/metrics is open");
        assertEquals(200, get("/healthz", null).statusCode());
        assertEquals(200, get("/readyz", null).statusCode());
    }

    @Test
    void wrongContentTypesAndEncodingsAre415() throws Exception {
        String body = Events.from("ct", "app-c").heartbeat(clock.millis()).json();
        assertError(
                post(body, "Authorization", "Bearer " + TOKEN, "Content-Type", "text/plain"),
                415,
                "Content-Type must be application/json");
        assertError(
                post(
                        body,
                        "Authorization",
                        "Bearer " + TOKEN,
                        "Content-Type",
                        "application/json",
                        "Content-Encoding",
                        "br"),
                415,
                "Content-Encoding must be gzip or identity");
    }

    @Test
    void gzipBodiesAreAcceptedAndBrokenGzipIs400() throws Exception {
        String body =
                Events.from("zipped", "app-z").completed(clock.millis(), 0, 10, 5, null).json();
        HttpResponse<String> ok =
                post(
                        gzip(body.getBytes(StandardCharsets.UTF_8)),
                        "Authorization",
                        "Bearer " + TOKEN,
                        "Content-Type",
                        "application/json",
                        "Content-Encoding",
                        "gzip");
        assertEquals(200, ok.statusCode(), ok.body());
        assertError(
                post(
                        "not gzip at all",
                        "Authorization",
                        "Bearer " + TOKEN,
                        "Content-Type",
                        "application/json",
                        "Content-Encoding",
                        "gzip"),
                400,
                "not valid gzip");
    }

    @Test
    void oversizedBodiesAre413EvenWhenTheyOnlyGrowAfterDecompression() throws Exception {
        byte[] big =
                ("{\"schema\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
        assertError(
                post(big, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json"),
                413,
                "ingest.maxBodyBytes");
        byte[] bomb = gzip(new byte[10_000_000]);
        assertTrue(bomb.length < 65536);
        assertError(
                post(
                        bomb,
                        "Authorization",
                        "Bearer " + TOKEN,
                        "Content-Type",
                        "application/json",
                        "Content-Encoding",
                        "gzip"),
                413,
                "decompressed body exceeds the limit");
    }

    @Test
    void aRejectedRequestChangesNothing() throws Exception {
        long t = clock.millis();
        ingest(Events.from("atomic", "app-x").completed(t, 0, 10, 1, null));
        Events mixed =
                Events.from("atomic", "app-x").startingAt(2).completed(t + 1000, 0, 10, 1, null);
        ((com.fasterxml.jackson.databind.node.ObjectNode)
                        mixed.event("batchCompleted", t).putObject("batch"))
                .put("batchTime", -1);
        assertEquals(400, ingest(mixed).statusCode());
        assertEquals(
                1,
                json(get("/api/v1/apps/atomic/batches", READER)).get("batches").size(),
                "the valid first event of a rejected request was not applied");
        // The same sequence numbers are still accepted once the request is fixed.
        JsonNode r =
                json(
                        ingest(
                                Events.from("atomic", "app-x")
                                        .startingAt(2)
                                        .completed(t + 1000, 0, 10, 1, null)));
        assertEquals(1, r.get("accepted").asInt());
    }

    @Test
    void unknownAppsAndEndpointsAre404WithAMessage() throws Exception {
        assertError(
                get("/api/v1/apps/" + path("no such app"), READER),
                404,
                "unknown app 'no such app'");
        assertError(
                get("/api/v1/apps/" + path("no such app") + "/batches", READER),
                404,
                "unknown app");
        assertError(get("/api/v2/nothing", null), 404, "not found");
    }

    @Test
    void openMetricsIsServedWhenAsked() throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                .header(
                                        "Accept",
                                        "application/openmetrics-text; version=1.0.0; charset=utf-8")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertTrue(
                r.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith("application/openmetrics-text"));
        assertTrue(r.body().trim().endsWith("# EOF"));
        HttpResponse<String> text = get("/metrics", null);
        assertTrue(
                text.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith("text/plain; version=0.0.4"));
    }

    @Test
    void seriesOfAGoneAppAreRemovedAfterTheRetentionPeriod() throws Exception {
        long t = clock.millis();
        ingest(Events.from("short-lived", "app-s").completed(t, 0, 10, 1, null).appEnd(t + 100));
        assertTrue(
                metrics().contains("spark_streaming_app_up{app=\"short-lived\"} 0"),
                "a finished app is not up");
        assertEquals(
                "finished", json(get("/api/v1/apps/short-lived", READER)).get("state").asText());
        clock.advance(Duration.ofMinutes(11));
        try {
            assertFalse(
                    metrics().contains("app=\"short-lived\""),
                    "no series after metrics.appRetention");
            assertEquals(
                    200,
                    get("/api/v1/apps/short-lived", READER).statusCode(),
                    "the app itself is still known");
        } finally {
            clock.advance(Duration.ofMinutes(-11));
        }
    }

    @Test
    void alertsAreListedForReadersAndTheStateIsValidated() throws Exception {
        long t = clock.millis();
        Events slow = Events.from("paged app", "app-p").streamingStarted(t, 1000);
        for (int i = 0; i < 3; i++) slow.completed(t + i * 1000L, 0, 2500, 1, null);
        assertEquals(200, ingest(slow).statusCode());
        assertError(get("/api/v1/alerts", null), 401, "missing bearer token");
        assertError(get("/api/v1/alerts?state=bogus", READER), 400, "state: must be firing or all");
        JsonNode firing = json(get("/api/v1/alerts?state=firing", READER)).get("alerts");
        JsonNode paged = null;
        for (JsonNode a : firing) if (a.get("app").asText().equals("paged app")) paged = a;
        assertTrue(paged != null, firing.toString());
        assertEquals("StreamingBatchTooSlow", paged.get("alertname").asText());
        assertEquals("warning", paged.get("severity").asText());
        assertEquals("firing", paged.get("state").asText());
        assertTrue(
                paged.get("summary").asText().startsWith("processing 2.5 s > interval 1.0 s"),
                paged.toString());
        assertTrue(paged.get("endsAt").isNull());
        assertTrue(
                paged.get("runbookUrl")
                        .asText()
                        .startsWith("http://127.0.0.1:" + service.port() + "/runbook#"),
                paged.toString());
        assertTrue(
                metrics()
                        .contains(
                                "streamwatch_alerts_firing{alertname=\"StreamingBatchTooSlow\",severity=\"warning\"}"));
    }

    @Test
    void theRunbookIsServedAsAPage() throws Exception {
        HttpResponse<String> r = get("/runbook", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
