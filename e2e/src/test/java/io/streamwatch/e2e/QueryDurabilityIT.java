package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the real service jar after it acknowledged a Structured Streaming query's
 * micro-batches: the restarted service on the same storage serves them, and the listener's re-send
 * of the same request (it cannot know the acknowledgement survived) counts none of them twice.
 */
class QueryDurabilityIT {
    private static final String TOKEN = "query-durability-" + System.nanoTime();
    private static final String APP = "orders app";
    private static final String QUERY = "Bestellungen Köln";

    private static List<Long> batchIds(ServiceProcess s) {
        JsonNode r =
                s.json(
                        "/api/v1/apps/"
                                + ServiceProcess.encode(APP)
                                + "/queries/"
                                + ServiceProcess.encode(QUERY)
                                + "/batches?limit=100");
        List<Long> ids = new ArrayList<>();
        for (JsonNode b : r.path("batches")) ids.add(b.path("batchId").asLong());
        return ids;
    }

    private static JsonNode query(ServiceProcess s) {
        return s.json("/api/v1/apps/" + ServiceProcess.encode(APP) + "/queries")
                .path("queries")
                .get(0);
    }

    @Test
    void killDashNineKeepsTheMicroBatchesAndTheReSentRequestCountsThemOnce() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-query-durability");
        long t = System.currentTimeMillis() / 1000 * 1000 - 60_000;
        Events request =
                Events.from(APP, "app-1")
                        .queryStarted(t, "3c9e-id", "run-1", QUERY, "processingTime", 1000L);
        for (int i = 0; i < 5; i++)
            request.queryProgress(
                    t + i * 1000L, "3c9e-id", "run-1", QUERY, i, t + i * 1000L, 7, 200);

        ServiceProcess first = ServiceProcess.in(dir).token(TOKEN).port(0).start();
        int port = first.port();
        try {
            HttpResponse<String> acked = first.ingest(request);
            assertEquals(200, acked.statusCode(), acked.body());
            assertEquals(List.of(4L, 3L, 2L, 1L, 0L), batchIds(first));
        } finally {
            first.kill();
        }

        try (ServiceProcess second = ServiceProcess.in(dir).token(TOKEN).port(port).start()) {
            assertEquals(List.of(4L, 3L, 2L, 1L, 0L), batchIds(second), "restored after kill -9");
            HttpResponse<String> resent = second.ingest(request);
            assertEquals(200, resent.statusCode(), resent.body());
            JsonNode answer = new ObjectMapper().readTree(resent.body());
            assertEquals(0, answer.path("accepted").asInt(-1), "the re-sent request is known");
            assertEquals(6, answer.path("duplicates").asInt(-1), "the re-sent request is known");
            Events next = Events.from(APP, "app-1").startingAt(7);
            next.queryProgress(t + 5000, "3c9e-id", "run-1", QUERY, 5, t + 5000, 7, 200);
            assertEquals(200, second.ingest(next).statusCode());
            assertEquals(List.of(5L, 4L, 3L, 2L, 1L, 0L), batchIds(second), "each exactly once");
            JsonNode q = query(second);
            assertEquals(6, q.path("batchesCompleted").asLong());
            assertEquals(42, q.path("inputRows").asLong());
            assertEquals(0, q.path("restarts").asLong());
        }
    }
}
