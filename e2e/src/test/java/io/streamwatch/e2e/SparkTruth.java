package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.spark.SparkLineDriverProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what the service shows with Spark's own ground truth from a {@link
 * SparkLineDriverProcess}: each batch Spark reported appears exactly once, with Spark's numbers.
 * The two sides are read until they list the same batches (the driver's own listeners and the
 * product's listener run on different listener-bus queues), then compared field by field.
 */
final class SparkTruth {
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private SparkTruth() {}

    /** The app's DStream batches in the service equal the driver's, field by field. */
    static void assertDStreamBatchesExactly(
            ServiceProcess service, String app, SparkLineDriverProcess driver) {
        List<JsonNode> truth = new ArrayList<>();
        JsonNode shown =
                Await.result(
                        CATCH_UP,
                        Duration.ofMillis(250),
                        () ->
                                "the service's batches of "
                                        + app
                                        + " to be the ones Spark completed: Spark "
                                        + keys(driver.dstreamBatches(), "batchTime")
                                        + ", service "
                                        + keys(service.batches(app, 1000), "batchTime"),
                        () -> {
                            List<JsonNode> t = driver.dstreamBatches();
                            JsonNode s = service.batches(app, 1000);
                            if (!keys(t, "batchTime").equals(keys(s, "batchTime"))) return null;
                            truth.clear();
                            truth.addAll(t);
                            return s;
                        });
        Map<Long, JsonNode> byTime = new HashMap<>();
        for (JsonNode b : shown)
            assertNull(
                    byTime.put(b.get("batchTime").asLong(), b),
                    "batch " + b.get("batchTime") + " appears twice");
        for (JsonNode t : truth) {
            long time = t.get("batchTime").asLong();
            JsonNode b = byTime.get(time);
            assertNotNull(b, "batch " + time);
            assertEquals(driver.appId(), b.get("appId").asText(), "appId of " + time);
            for (String f :
                    List.of(
                            "records",
                            "submissionTime",
                            "processingStartTime",
                            "processingEndTime"))
                assertEquals(t.get(f).asLong(), b.get(f).asLong(), f + " of batch " + time);
        }
    }

    /** The query's micro-batches in the service, one per batch Spark ran. */
    static JsonNode queryBatches(ServiceProcess service, String app, String query) {
        return service.json(
                        "/api/v1/apps/"
                                + ServiceProcess.encode(app)
                                + "/queries/"
                                + ServiceProcess.encode(query)
                                + "/batches?limit=1000")
                .get("batches");
    }

    /**
     * The query's micro-batches in the service equal those Spark reported (batchId, runId,
     * timestamp, triggerExecution, numInputRows); returns Spark's list.
     */
    static List<JsonNode> assertMicroBatchesExactly(
            ServiceProcess service, String app, String query, SparkLineDriverProcess driver) {
        List<JsonNode> truth = new ArrayList<>();
        JsonNode shown =
                Await.result(
                        CATCH_UP,
                        Duration.ofMillis(250),
                        () ->
                                "the service's micro-batches of "
                                        + query
                                        + " to be the ones Spark ran: Spark "
                                        + keys(driver.microBatches(query), "batchId")
                                        + ", service "
                                        + shownKeys(service, app, query),
                        () -> {
                            List<JsonNode> t = driver.microBatches(query);
                            JsonNode s = queryBatches(service, app, query);
                            if (t.isEmpty() || !keys(t, "batchId").equals(keys(s, "batchId")))
                                return null;
                            truth.clear();
                            truth.addAll(t);
                            return s;
                        });
        assertEquals(truth.size(), shown.size(), "one entry per micro-batch Spark ran");
        Map<Long, JsonNode> byId = new HashMap<>();
        for (JsonNode b : shown)
            assertNull(
                    byId.put(b.get("batchId").asLong(), b),
                    "micro-batch " + b.get("batchId") + " appears twice");
        for (JsonNode t : truth) {
            long id = t.get("batchId").asLong();
            JsonNode b = byId.get(id);
            String of = " of micro-batch " + id + " of " + query;
            assertEquals(t.get("runId").asText(), b.path("runId").asText(), "runId" + of);
            assertEquals(t.get("queryId").asText(), b.path("queryId").asText(), "queryId" + of);
            assertEquals(
                    t.get("timestamp").asLong(), b.path("timestamp").asLong(), "timestamp" + of);
            assertEquals(
                    t.get("triggerExecution").asLong(),
                    b.path("durationMs").path("triggerExecution").asLong(),
                    "triggerExecution" + of);
            assertEquals(
                    t.get("numInputRows").asLong(),
                    b.path("numInputRows").asLong(),
                    "numInputRows" + of);
        }
        return truth;
    }

    private static String shownKeys(ServiceProcess service, String app, String query) {
        try {
            return keys(queryBatches(service, app, query), "batchId").toString();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    private static TreeSet<Long> keys(Iterable<JsonNode> batches, String field) {
        TreeSet<Long> out = new TreeSet<>();
        if (batches != null) for (JsonNode b : batches) out.add(b.path(field).asLong());
        return out;
    }

    /** The query in {@code /api/v1/apps/{app}/queries}, or null. */
    static JsonNode query(ServiceProcess service, String app, String query) {
        for (JsonNode q :
                service.json("/api/v1/apps/" + ServiceProcess.encode(app) + "/queries")
                        .path("queries")) {
            if (query.equals(q.path("query").asText())) return q;
        }
        return null;
    }

    /**
     * The value of the series {@code name} whose labels include every {@code key="value"} of {@code
     * labels} (pairs); null when there is none.
     */
    static Double sample(String metrics, String name, String... labels) {
        Pattern series = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$");
        Matcher m = series.matcher(metrics);
        next:
        while (m.find()) {
            for (int i = 0; i < labels.length; i += 2) {
                String pair = labels[i] + "=\"" + escape(labels[i + 1]) + "\"";
                if (!("," + m.group(1) + ",").contains("," + pair + ",")) continue next;
            }
            return Double.parseDouble(m.group(2));
        }
        return null;
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
