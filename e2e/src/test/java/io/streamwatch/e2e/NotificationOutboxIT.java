package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.WebhookReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Finding 7 of issue 16 against the real jar: a webhook receiver that is down while an alert fires
 * and resolves, and through a restart of the service, still gets the FIRING and then the RESOLVED
 * once it is back. Before the outbox, both were dropped at shutdown ("not delivered before
 * shutdown") and never sent again. The app's heartbeats are posted over HTTP, as its listener
 * would.
 */
class NotificationOutboxIT {
    private static final String TOKEN = "outbox-it-token";
    private static final String APP = "outbox app";

    private static void heartbeat(ServiceProcess service) {
        HttpResponse<String> r =
                service.ingest(Events.from(APP, "app-1").heartbeat(System.currentTimeMillis()));
        assertEquals(200, r.statusCode(), r.body());
    }

    private static double outbox(ServiceProcess service) {
        return ServiceProcess.sample(
                service.metrics(), "streamwatch_notify_outbox_entries", "receiver=\"webhook-0\"");
    }

    /** The statuses the receiver took (answered 2xx), in order. */
    private static List<String> delivered(WebhookReceiver hook, List<Integer> answered) {
        List<WebhookReceiver.Received> got = hook.received();
        return java.util.stream.IntStream.range(0, got.size())
                .filter(i -> i < answered.size() && answered.get(i) == 200)
                .mapToObj(i -> got.get(i).json().at("/alerts/0/status").asText())
                .toList();
    }

    @Test
    void aPageAndItsResolveWaitForADownWebhookAcrossARestart() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-outbox");
        AtomicBoolean up = new AtomicBoolean(false);
        List<Integer> answered = new java.util.concurrent.CopyOnWriteArrayList<>();
        String yaml;
        try (WebhookReceiver hook =
                WebhookReceiver.responding(
                        i -> {
                            int status = up.get() ? 200 : 503;
                            answered.add(status);
                            return new WebhookReceiver.Reply(status, "");
                        })) {
            yaml =
                    "alerting: { appDownAfter: 2s, receivers: [ { type: webhook, url: \""
                            + hook.url("/hook")
                            + "\" } ] }\n";
            try (ServiceProcess service = ServiceProcess.start(dir, TOKEN, yaml)) {
                heartbeat(service);
                Await.until(
                        Duration.ofSeconds(30),
                        "the FIRING to be tried at the down receiver",
                        () -> !hook.received().isEmpty());
                heartbeat(service); // the app is back: RESOLVED
                Await.until(
                        Duration.ofSeconds(30),
                        "FIRING and RESOLVED waiting in the outbox",
                        () -> outbox(service) == 2);
                assertTrue(
                        ServiceProcess.sample(
                                        service.metrics(),
                                        "streamwatch_notify_outbox_oldest_age_seconds",
                                        "receiver=\"webhook-0\"")
                                >= 0);
            } // SIGTERM while the receiver is still down
            assertTrue(delivered(hook, answered).isEmpty(), "nothing was taken yet");

            up.set(true);
            try (ServiceProcess service = ServiceProcess.start(dir, TOKEN, yaml)) {
                Await.until(
                        Duration.ofSeconds(30),
                        "the FIRING and the RESOLVED delivered after the restart; got "
                                + delivered(hook, answered),
                        () -> delivered(hook, answered).size() >= 2);
                assertEquals(List.of("firing", "resolved"), delivered(hook, answered));
                Await.until(Duration.ofSeconds(10), "an empty outbox", () -> outbox(service) == 0);
                assertTrue(
                        service.log().contains("wait in the outbox"),
                        "the restart says what it resends");
            }
        }
    }
}
