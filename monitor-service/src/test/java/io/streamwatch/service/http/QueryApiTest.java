package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static io.streamwatch.service.http.LoopbackService.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.testkit.Events;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Structured Streaming queries through the real service: ingested with {@code POST /api/v1/events},
 * read with {@code GET /api/v1/apps/{app}/queries} and {@code .../queries/{query}/batches}, kept
 * across a restart on the same storage.
 */
class QueryApiTest {
    /** A query key with a space and letters beyond ASCII, URL-encoded in paths. */
    private static final String QUERY = "Bestellungen Köln – Zürich";

    private static final String APP = "shop eu";

    private static Events request(long t) {
        Events e =
                Events.from(APP, "app-1")
                        .queryStarted(t, "7f0c-id", "run-1", QUERY, "processingTime", 2000L);
        for (int i = 0; i < 3; i++)
            e.queryProgress(
                    t + i * 2000L, "7f0c-id", "run-1", QUERY, i, t + i * 2000L, 10 + i, 300);
        e.kafkaSource("clicks", 40, 52);
        e.queryStarted(t, "9b1d-id", "run-a", null, null, null)
                .queryTerminated(
                        t + 500,
                        "9b1d-id",
                        "run-a",
                        null,
                        "java.lang.IllegalStateException: boom\n\tat x.Y(Y.java:1)",
                        null);
        return e;
    }

    private static String batchesPath(String query, String limit) {
        return "/api/v1/apps/"
                + path(APP)
                + "/queries/"
                + path(query)
                + "/batches"
                + (limit == null ? "" : "?limit=" + limit);
    }

    private static List<Long> batchIds(JsonNode batches) {
        List<Long> ids = new ArrayList<>();
        for (JsonNode b : batches.path("batches")) ids.add(b.path("batchId").asLong());
        return ids;
    }

    private static JsonNode find(JsonNode list, String key) {
        for (JsonNode q : list.path("queries")) if (q.path("query").asText().equals(key)) return q;
        throw new AssertionError("no query '" + key + "' in " + list);
    }

    @Test
    void queriesAndTheirMicroBatchesAreServedAndSurviveARestart() throws Exception {
        Path dir = ServiceHttpTest.tempDir("queries");
        Map<String, String> env = Map.of("STREAMWATCH_STORAGE_DIR", dir.toString());
        MutableClock clock = MutableClock.atSystemTime();
        long t = clock.millis() / 2000 * 2000 - 60_000;
        Events sent = request(t);
        try (LoopbackService first = LoopbackService.start("queries", env, clock)) {
            LoopbackService.Response r = first.ingest(sent);
            assertEquals(200, r.status(), r.toString());
            assertEquals(6, r.json().path("accepted").asInt());

            JsonNode list = first.get("/api/v1/apps/" + path(APP) + "/queries", READER).json();
            assertEquals(APP, list.path("app").asText());
            assertEquals(2, list.path("queries").size(), list.toString());
            JsonNode q = find(list, QUERY);
            assertEquals(QUERY, q.path("query").asText());
            assertEquals("7f0c-id", q.path("queryId").asText());
            assertEquals("run-1", q.path("runId").asText());
            assertEquals("active", q.path("state").asText());
            assertTrue(q.path("up").asBoolean());
            assertEquals("processingTime", q.path("trigger").asText());
            assertEquals(2000, q.path("triggerIntervalMs").asLong());
            assertEquals("spark", q.path("triggerIntervalSource").asText());
            assertEquals(3, q.path("batchesCompleted").asLong());
            assertEquals(33, q.path("inputRows").asLong());
            assertEquals(2, q.path("lastBatch").path("batchId").asLong());
            assertTrue(q.path("kafkaLag").isArray());
            JsonNode failed = find(list, "9b1d-id");
            assertEquals("9b1d-id", failed.path("query").asText(), "an unnamed query: its id");
            assertEquals("failed", failed.path("state").asText());
            assertEquals(1, failed.path("failures").asLong());
            assertTrue(failed.path("exception").asText().startsWith("java.lang.Illegal"));
            assertTrue(failed.path("lastBatch").isNull());

            JsonNode detail = first.get("/api/v1/apps/" + path(APP), READER).json();
            assertEquals(list.path("queries"), detail.path("queries"));

            JsonNode batches = first.get(batchesPath(QUERY, "2"), READER).json();
            assertEquals(QUERY, batches.path("query").asText());
            assertEquals(List.of(2L, 1L), batchIds(batches), "newest first, limited");
            JsonNode newest = batches.path("batches").get(0);
            assertEquals(300, newest.path("durationMs").path("triggerExecution").asLong());
            assertEquals(t + 4000, newest.path("timestamp").asLong());
            JsonNode source = newest.path("sources").get(0);
            assertEquals(52, source.path("endOffset").path("clicks").path("1").asLong());
            assertTrue(source.path("endOffset").isObject(), "offsets as JSON values");
            JsonNode older = first.get(batchesPath(QUERY, null), READER).json();
            assertEquals(
                    "21",
                    older.path("batches")
                            .get(1)
                            .path("sources")
                            .get(0)
                            .path("endOffset")
                            .toString());

            assertRefused(
                    first.get(batchesPath("no such query", null), READER),
                    404,
                    "unknown query 'no such query' of app 'shop eu'");
            assertRefused(
                    first.get("/api/v1/apps/nope/queries", READER), 404, "unknown app 'nope'");
            assertRefused(
                    first.get("/api/v1/apps/nope/queries/x/batches", READER),
                    404,
                    "unknown app 'nope'");
            assertRefused(
                    first.get(batchesPath(QUERY, "0"), READER),
                    400,
                    "limit: must be a whole number from 1 to 1000 (storage.historyMicroBatches)");
            assertRefused(first.get(batchesPath(QUERY, "x"), READER), 400, "limit:");
            assertEquals(401, first.get("/api/v1/apps/" + path(APP) + "/queries", null).status());
        }
        try (LoopbackService second = LoopbackService.start("queries", env, clock)) {
            JsonNode batches = second.get(batchesPath(QUERY, "10"), READER).json();
            assertEquals(List.of(2L, 1L, 0L), batchIds(batches), "restored from storage.dir");
            LoopbackService.Response again = second.ingest(sent);
            assertEquals(200, again.status());
            assertEquals(0, again.json().path("accepted").asInt());
            assertEquals(6, again.json().path("duplicates").asInt());
            assertEquals(
                    List.of(2L, 1L, 0L),
                    batchIds(second.get(batchesPath(QUERY, "10"), READER).json()));
            JsonNode q = second.get("/api/v1/apps/" + path(APP) + "/queries", READER).json();
            assertEquals(3, find(q, QUERY).path("batchesCompleted").asLong());
        }
    }
}
