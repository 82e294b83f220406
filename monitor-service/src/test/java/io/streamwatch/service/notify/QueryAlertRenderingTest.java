package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Structured Streaming query's alert, as every receiver gets it. */
class QueryAlertRenderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-12-01T07:00:00.123Z");
    private final AlertRenderer renderer = new AlertRenderer("http://sw.example:9470/");

    private Alert query(String app, String query) {
        return renderer.alert(
                "StreamingQueryFailed",
                Severity.CRITICAL,
                "app",
                app,
                query,
                "query failed: boom",
                "Query failed.",
                T,
                null);
    }

    @Test
    void aQueryAlertIsLabelledWithItsQueryAndLinksToItsSectionOfTheAppPage() {
        Alert a = query("orders eu", "enrich/v2");
        assertEquals(
                Map.of(
                        "alertname", "StreamingQueryFailed",
                        "app", "orders eu",
                        "query", "enrich/v2",
                        "severity", "critical"),
                a.labels());
        assertEquals(
                Map.of(
                        "summary", "query failed: boom",
                        "description", "Query failed.",
                        "runbook_url", "http://sw.example:9470/runbook#streamingqueryfailed",
                        "app_url", "http://sw.example:9470/apps/orders%20eu",
                        "query_url", "http://sw.example:9470/apps/orders%20eu#query-enrich%2Fv2",
                        "api_url", "http://sw.example:9470/api/v1/apps/orders%20eu/queries"),
                a.annotations());
        assertEquals("http://sw.example:9470/apps/orders%20eu#query-enrich%2Fv2", a.generatorUrl());
        assertEquals("streamwatch/StreamingQueryFailed/orders eu?query=enrich%2Fv2", a.key());
    }

    @Test
    void theKeyTellsQueriesAndTheirAppApart() {
        Alert app =
                renderer.alert(
                        "StreamingQueryFailed",
                        Severity.CRITICAL,
                        "app",
                        "orders",
                        "s",
                        null,
                        T,
                        null);
        assertEquals("streamwatch/StreamingQueryFailed/orders", app.key());
        assertFalse(app.labels().containsKey("query"));
        assertFalse(query("orders", "a").key().equals(query("orders", "b").key()));
        assertFalse(app.key().equals(query("orders", "a").key()));
        assertEquals(
                query("orders", "a").key(),
                AlertCodec.read(AlertCodec.write(query("orders", "a"))).key());
    }

    @Test
    void webhookGroupsAndPagerDutyNamesTheQuery() throws Exception {
        Alert a = query("orders", "enrich");
        JsonNode hook =
                JSON.readTree(
                        new WebhookNotifier(
                                        "http://127.0.0.1:1/hook", "http://sw.example:9470", JSON)
                                .toRequest(a, Transition.FIRING, T)
                                .json());
        assertEquals(
                "{\"alertname\":\"StreamingQueryFailed\",\"app\":\"orders\",\"query\":\"enrich\"}",
                hook.get("groupLabels").toString());
        assertEquals(
                "streamwatch/StreamingQueryFailed/orders?query=enrich",
                hook.get("groupKey").asText());
        JsonNode pd =
                JSON.readTree(
                        new PagerDutyNotifier("http://127.0.0.1:1/enqueue", "rk-secret", JSON)
                                .toRequest(a, Transition.FIRING, T)
                                .json());
        assertEquals(
                "streamwatch/StreamingQueryFailed/orders?query=enrich",
                pd.get("dedup_key").asText());
        assertEquals("enrich", pd.path("payload").get("component").asText());
        assertEquals("orders", pd.path("payload").get("source").asText());
        assertEquals("enrich", pd.path("payload").path("custom_details").get("query").asText());
    }
}
