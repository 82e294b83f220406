package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-05-01T10:05:00Z");
    private final WebhookNotifier notifier =
            new WebhookNotifier(
                    "http://hooks.example/streamwatch/in?team=data",
                    "http://streamwatch.example:8080",
                    JSON);
    private final Alert firing = TestAlerts.firing("StreamingBatchTooSlow", "orders", "warning");

    private static String expected(String status, String endsAt, String fingerprint) {
        return """
                {"version":"4","groupKey":"streamwatch/StreamingBatchTooSlow/orders","truncatedAlerts":0,
                 "status":"%1$s","receiver":"streamwatch",
                 "groupLabels":{"alertname":"StreamingBatchTooSlow","app":"orders"},
                 "commonLabels":{"alertname":"StreamingBatchTooSlow","app":"orders","severity":"warning"},
                 "commonAnnotations":{"summary":"StreamingBatchTooSlow on orders",
                   "description":"Processing time exceeded the batch interval for 3 batches.",
                   "runbook_url":"https://runbooks.example/streamwatch#StreamingBatchTooSlow"},
                 "externalURL":"http://streamwatch.example:8080",
                 "alerts":[{"status":"%1$s",
                   "labels":{"alertname":"StreamingBatchTooSlow","app":"orders","severity":"warning"},
                   "annotations":{"summary":"StreamingBatchTooSlow on orders",
                     "description":"Processing time exceeded the batch interval for 3 batches.",
                     "runbook_url":"https://runbooks.example/streamwatch#StreamingBatchTooSlow"},
                   "startsAt":"2024-05-01T10:00:00.123Z","endsAt":"%2$s",
                   "generatorURL":"http://streamwatch.example:8080/apps/orders",
                   "fingerprint":"%3$s"}]}
                """
                .formatted(status, endsAt, fingerprint);
    }

    @Test
    void postsToTheConfiguredUrlExactly() {
        assertEquals(
                "http://hooks.example/streamwatch/in?team=data",
                notifier.toRequest(firing, Transition.FIRING, NOW).url().toString());
    }

    @Test
    void aFiringAlertHasAlertmanagersWebhookBodyWithZeroEndsAt() throws Exception {
        OutboundRequest request = notifier.toRequest(firing, Transition.FIRING, NOW);
        assertEquals(
                JSON.readTree(
                        expected(
                                "firing", "0001-01-01T00:00:00Z", Fingerprint.of(firing.labels()))),
                JSON.readTree(request.json()));
    }

    @Test
    void aResolvedAlertCarriesItsResolveTime() throws Exception {
        Alert resolved = TestAlerts.resolved(firing, TestAlerts.ENDS_AT);
        OutboundRequest request = notifier.toRequest(resolved, Transition.RESOLVED, NOW);
        assertEquals(
                JSON.readTree(
                        expected(
                                "resolved",
                                "2024-05-01T10:07:30.000Z",
                                Fingerprint.of(firing.labels()))),
                JSON.readTree(request.json()));
    }

    @Test
    void theFingerprintIsTheSameWhenFiringAndWhenResolved() throws Exception {
        JsonNode a = JSON.readTree(notifier.toRequest(firing, Transition.FIRING, NOW).json());
        JsonNode b =
                JSON.readTree(
                        notifier.toRequest(
                                        TestAlerts.resolved(firing, TestAlerts.ENDS_AT),
                                        Transition.RESOLVED,
                                        NOW)
                                .json());
        assertEquals(a.at("/alerts/0/fingerprint"), b.at("/alerts/0/fingerprint"));
        assertEquals(a.get("groupKey"), b.get("groupKey"));
    }

    @Test
    void groupAlertsAreGroupedByGroupInsteadOfApp() throws Exception {
        Alert lag =
                new Alert(
                        "KafkaLagGrowing",
                        "billing-consumers",
                        "warning",
                        Map.of(
                                "alertname",
                                "KafkaLagGrowing",
                                "group",
                                "billing-consumers",
                                "severity",
                                "warning"),
                        Map.of("summary", "lag"),
                        TestAlerts.STARTS_AT,
                        null,
                        null);
        JsonNode body = JSON.readTree(notifier.toRequest(lag, Transition.FIRING, NOW).json());
        assertEquals(
                JSON.readTree(
                        "{\"alertname\":\"KafkaLagGrowing\",\"group\":\"billing-consumers\"}"),
                body.get("groupLabels"));
    }

    @Test
    void repeatsAreNotForWebhooks() {
        assertFalse(notifier.accepts(Transition.REPEAT));
        assertTrue(notifier.accepts(Transition.FIRING));
        assertTrue(notifier.accepts(Transition.RESOLVED));
    }
}
