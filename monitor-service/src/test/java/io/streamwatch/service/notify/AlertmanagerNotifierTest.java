package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertmanagerNotifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-05-01T10:05:00.456Z");
    private final AlertmanagerNotifier notifier =
            new AlertmanagerNotifier("http://am.example:9093/", Duration.ofSeconds(60), JSON);

    @Test
    void postsToTheV2AlertsEndpointWithoutADoubleSlash() {
        OutboundRequest request =
                notifier.toRequest(
                        TestAlerts.firing("StreamingAppDown", "orders", "critical"),
                        Transition.FIRING,
                        NOW);
        assertEquals("http://am.example:9093/api/v2/alerts", request.url().toString());
    }

    @Test
    void aFiringAlertIsValidForFourResendIntervals() throws Exception {
        OutboundRequest request =
                notifier.toRequest(
                        TestAlerts.firing("StreamingAppDown", "orders", "critical"),
                        Transition.FIRING,
                        NOW);
        assertEquals(
                JSON.readTree(
                        """
                [{"labels":{"alertname":"StreamingAppDown","app":"orders","severity":"critical"},
                  "annotations":{"summary":"StreamingAppDown on orders",
                                 "description":"Processing time exceeded the batch interval for 3 batches.",
                                 "runbook_url":"https://runbooks.example/streamwatch#StreamingAppDown"},
                  "startsAt":"2024-05-01T10:00:00.123Z",
                  "endsAt":"2024-05-01T10:09:00.456Z",
                  "generatorURL":"http://streamwatch.example:8080/apps/orders"}]
                """),
                JSON.readTree(request.json()));
    }

    @Test
    void aRepeatIsSentLikeFiringWithAFreshEndsAt() throws Exception {
        Alert alert = TestAlerts.firing("StreamingAppDown", "orders", "critical");
        assertTrue(notifier.accepts(Transition.REPEAT));
        OutboundRequest request = notifier.toRequest(alert, Transition.REPEAT, NOW.plusSeconds(60));
        assertEquals(
                "2024-05-01T10:10:00.456Z",
                JSON.readTree(request.json()).get(0).get("endsAt").asText());
    }

    @Test
    void aResolvedAlertEndsAtItsResolveTime() throws Exception {
        Alert alert =
                TestAlerts.resolved(
                        TestAlerts.firing("StreamingAppDown", "orders", "critical"),
                        TestAlerts.ENDS_AT);
        OutboundRequest request = notifier.toRequest(alert, Transition.RESOLVED, NOW);
        assertEquals(
                JSON.readTree(
                        """
                [{"labels":{"alertname":"StreamingAppDown","app":"orders","severity":"critical"},
                  "annotations":{"summary":"StreamingAppDown on orders",
                                 "description":"Processing time exceeded the batch interval for 3 batches.",
                                 "runbook_url":"https://runbooks.example/streamwatch#StreamingAppDown"},
                  "startsAt":"2024-05-01T10:00:00.123Z",
                  "endsAt":"2024-05-01T10:07:30.000Z",
                  "generatorURL":"http://streamwatch.example:8080/apps/orders"}]
                """),
                JSON.readTree(request.json()));
    }
}
