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
import org.junit.jupiter.api.Test;

/**
 * Finding 6 of issue 16 against the real jar: the service is down longer than {@code appDownAfter}
 * while the app's driver keeps running; its listener reports again a few seconds after the service
 * is back (retry backoff). Before the start-up grace, StreamingAppDown paged one second after the
 * start. Heartbeats are posted over HTTP, as the listener would.
 */
class StartupGraceIT {
    private static final String TOKEN = "grace-it-token";
    private static final String APP = "healthy app";

    private static void heartbeat(ServiceProcess service) {
        HttpResponse<String> r =
                service.ingest(Events.from(APP, "app-1").heartbeat(System.currentTimeMillis()));
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void aRestartLongerThanAppDownAfterPagesNoAppWhoseListenerReportsAgain() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-grace");
        try (WebhookReceiver hook = WebhookReceiver.start()) {
            String yaml =
                    "alerting: { appDownAfter: 2s, startupGrace: 20s, receivers: [ { type: webhook, url: \""
                            + hook.url("/hook")
                            + "\" } ] }\n";
            try (ServiceProcess service = ServiceProcess.start(dir, TOKEN, yaml)) {
                heartbeat(service);
                Await.until(
                        Duration.ofSeconds(10),
                        "the app to be known",
                        () -> service.json("/api/v1/apps").toString().contains(APP));
            }
            Thread.sleep(4_000); // the service is down for twice appDownAfter
            try (ServiceProcess service = ServiceProcess.start(dir, TOKEN, yaml)) {
                // The listener's retry backoff: it reports again 4 s after the start.
                long start = System.nanoTime();
                while (System.nanoTime() - start < Duration.ofSeconds(4).toNanos()) {
                    assertTrue(hook.alerts(APP).isEmpty(), "paged: " + hook.alerts(APP));
                    Thread.sleep(200);
                }
                for (int i = 0; i < 6; i++) {
                    heartbeat(service);
                    Thread.sleep(1_000);
                }
                assertTrue(hook.alerts(APP).isEmpty(), "paged: " + hook.alerts(APP));
                // An app that then goes silent is paged as usual, grace or not.
                Await.until(
                        Duration.ofSeconds(15),
                        "StreamingAppDown once it really is silent",
                        () -> hook.has(APP, "StreamingAppDown", "firing"));
            }
        }
    }
}
