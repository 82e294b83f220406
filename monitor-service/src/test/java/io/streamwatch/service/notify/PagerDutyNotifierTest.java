package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PagerDutyNotifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "R0UT1NGK3Y-secret-0123456789abcdef";
    private static final Instant NOW = Instant.parse("2024-05-01T10:05:00Z");
    private final PagerDutyNotifier notifier =
            new PagerDutyNotifier("https://events.pagerduty.com/v2/enqueue", KEY, JSON);
    private final Alert firing = TestAlerts.firing("StreamingDelayGrowing", "orders", "critical");

    @Test
    void aFiringAlertTriggersWithTheContractsPayload() throws Exception {
        OutboundRequest request = notifier.toRequest(firing, Transition.FIRING, NOW);
        assertEquals("https://events.pagerduty.com/v2/enqueue", request.url().toString());
        assertEquals(
                JSON.readTree(
                        """
                {"routing_key":"%s","event_action":"trigger","dedup_key":"streamwatch/StreamingDelayGrowing/orders",
                 "payload":{"summary":"StreamingDelayGrowing on orders","source":"orders","severity":"critical",
                   "timestamp":"2024-05-01T10:00:00.123Z","component":"orders","class":"StreamingDelayGrowing",
                   "custom_details":{"alertname":"StreamingDelayGrowing","app":"orders","severity":"critical",
                     "summary":"StreamingDelayGrowing on orders",
                     "description":"Processing time exceeded the batch interval for 3 batches.",
                     "runbook_url":"https://runbooks.example/streamwatch#StreamingDelayGrowing"}},
                 "links":[{"href":"https://runbooks.example/streamwatch#StreamingDelayGrowing","text":"Runbook"},
                          {"href":"http://streamwatch.example:8080/apps/orders","text":"Streamwatch"}],
                 "client":"Streamwatch"}
                """
                                .formatted(KEY)),
                JSON.readTree(request.json()));
    }

    @Test
    void aResolveCarriesOnlyTheKeyTheActionAndTheDedupKey() throws Exception {
        OutboundRequest request =
                notifier.toRequest(
                        TestAlerts.resolved(firing, TestAlerts.ENDS_AT), Transition.RESOLVED, NOW);
        assertEquals(
                JSON.readTree(
                        """
                {"routing_key":"%s","event_action":"resolve","dedup_key":"streamwatch/StreamingDelayGrowing/orders"}
                """
                                .formatted(KEY)),
                JSON.readTree(request.json()));
    }

    @Test
    void theDedupKeyIsStablePerAlertnameAndApp() throws Exception {
        Alert laterRun = TestAlerts.firing("StreamingDelayGrowing", "orders", "critical", NOW);
        Alert otherApp = TestAlerts.firing("StreamingDelayGrowing", "payments", "critical");
        String a =
                JSON.readTree(notifier.toRequest(firing, Transition.FIRING, NOW).json())
                        .get("dedup_key")
                        .asText();
        String b =
                JSON.readTree(notifier.toRequest(laterRun, Transition.FIRING, NOW).json())
                        .get("dedup_key")
                        .asText();
        String c =
                JSON.readTree(notifier.toRequest(otherApp, Transition.FIRING, NOW).json())
                        .get("dedup_key")
                        .asText();
        assertEquals(a, b);
        assertFalse(a.equals(c));
    }

    @Test
    void severitiesMapOntoPagerDutys() {
        Map<String, String> expected =
                Map.of(
                        "critical",
                        "critical",
                        "warning",
                        "warning",
                        "info",
                        "info",
                        "error",
                        "error",
                        "CRITICAL",
                        "critical",
                        "page",
                        "error",
                        "",
                        "error");
        expected.forEach(
                (ours, theirs) -> assertEquals(theirs, PagerDutyNotifier.severity(ours), ours));
        assertEquals("error", PagerDutyNotifier.severity(null));
    }

    @Test
    void theSummaryIsCutTo1024CharactersAndFallsBackToNameAndSubject() throws Exception {
        Map<String, String> annotations = new HashMap<>(firing.annotations());
        annotations.put("summary", "x".repeat(5000));
        Alert longOne =
                new Alert(
                        firing.name(),
                        firing.subject(),
                        firing.severity(),
                        firing.labels(),
                        annotations,
                        firing.startsAt(),
                        null,
                        firing.generatorUrl());
        JsonNode body = JSON.readTree(notifier.toRequest(longOne, Transition.FIRING, NOW).json());
        assertEquals(1024, body.at("/payload/summary").asText().length());

        Alert bare =
                new Alert(
                        firing.name(),
                        firing.subject(),
                        "warning",
                        firing.labels(),
                        Map.of(),
                        firing.startsAt(),
                        null,
                        null);
        body = JSON.readTree(notifier.toRequest(bare, Transition.FIRING, NOW).json());
        assertEquals("StreamingDelayGrowing on orders", body.at("/payload/summary").asText());
        assertEquals(0, body.get("links").size());
    }

    @Test
    void theRoutingKeyIsInNoStringAndIsRedactedFromResponses() {
        OutboundRequest request = notifier.toRequest(firing, Transition.FIRING, NOW);
        assertFalse(request.toString().contains(KEY), request.toString());
        assertFalse(notifier.toString().contains(KEY), notifier.toString());
        assertEquals(
                "{\"message\":\"unknown key <routing key>\"}",
                notifier.redact("{\"message\":\"unknown key " + KEY + "\"}"));
    }

    @Test
    void aKeyCutOffAtTheEndOfAnAnswerLeaksNoPartOfIt() {
        for (int n = 1; n < KEY.length(); n++) {
            String cut = "{\"message\":\"unknown key " + KEY.substring(0, n);
            String redacted = notifier.redact(cut);
            assertFalse(redacted.contains(KEY.substring(0, n)), n + ": " + redacted);
            assertEquals("{\"message\":\"unknown key <routing key>", redacted);
        }
    }

    /**
     * A PagerDuty answer longer than what is logged, with the key across the place where the log
     * cuts it: no part of the key reaches the outcome that is logged.
     */
    @Test
    void aRejectionWhoseBodyIsCutInsideTheKeyLogsNoPartOfIt() throws Exception {
        for (int filler : new int[] {500, 490, 511, 2020, 2040}) {
            String body = "x".repeat(filler) + KEY + "y".repeat(100);
            try (io.streamwatch.testkit.WebhookReceiver r =
                    io.streamwatch.testkit.WebhookReceiver.responding(
                            i -> new io.streamwatch.testkit.WebhookReceiver.Reply(400, body))) {
                PagerDutyNotifier loopback = new PagerDutyNotifier(r.url("/enqueue"), KEY, JSON);
                HttpSender sender =
                        new HttpSender(
                                loopback, new okhttp3.OkHttpClient(), java.time.Clock.systemUTC());
                OutboundRequest request = loopback.toRequest(firing, Transition.FIRING, NOW);
                assertEquals("127.0.0.1", request.url().host(), "loopback only");
                HttpSender.Outcome o = sender.attempt(request);
                assertEquals(HttpSender.Outcome.Kind.REJECTED, o.kind());
                for (int i = 0; i + 4 <= KEY.length(); i++) {
                    assertFalse(
                            o.detail().contains(KEY.substring(i, i + 4)),
                            "filler " + filler + ": " + o.detail());
                }
            }
        }
    }

    @Test
    void repeatsAreNotForPagerDuty() {
        assertFalse(notifier.accepts(Transition.REPEAT));
    }
}
