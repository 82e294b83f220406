package io.streamwatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WebhookReceiverTest {
    private static final String NOTIFICATION =
            """
            {"version":"4","status":"firing","alerts":[
              {"status":"firing","labels":{"alertname":"StreamingAppDown","app":"orders","severity":"critical"},
               "annotations":{"summary":"no heartbeat"}},
              {"status":"resolved","labels":{"alertname":"KafkaLagGrowing","group":"billing"},"annotations":{}}]}""";

    private static int post(String url, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .header("Content-Type", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void recordsRequestsAndReadsAlertmanagerWebhookBodies() throws Exception {
        List<WebhookReceiver.Alert> seen = new CopyOnWriteArrayList<>();
        try (WebhookReceiver hook = WebhookReceiver.notifying(seen::add)) {
            assertEquals(200, post(hook.url(), NOTIFICATION));
            assertEquals(200, post(hook.url("/other"), "not json"));

            assertEquals(2, hook.received().size());
            assertEquals("/hook", hook.received().get(0).path());
            assertEquals("application/json", hook.received().get(0).contentType());
            assertEquals(2, hook.alerts().size(), "the body that is not JSON has no alerts");
            assertEquals(hook.alerts(), seen);
            assertTrue(hook.has("orders", "StreamingAppDown", "firing"));
            WebhookReceiver.Alert down = hook.alerts("orders").get(0);
            assertEquals("no heartbeat", down.summary());
            assertEquals("critical", down.label("severity"));
            assertEquals(
                    down,
                    hook.firstFiring("/hook", "StreamingAppDown", "app", "orders").orElseThrow());
            assertEquals("billing", hook.alerts().get(1).label("group"));
        }
    }

    @Test
    void answersAsTheResponderSays() throws Exception {
        try (WebhookReceiver r =
                WebhookReceiver.responding(
                        i -> new WebhookReceiver.Reply(i == 0 ? 503 : 202, ""))) {
            assertEquals(503, post(r.url("/x"), "{}"));
            assertEquals(202, post(r.url("/x"), "{}"));
        }
    }
}
