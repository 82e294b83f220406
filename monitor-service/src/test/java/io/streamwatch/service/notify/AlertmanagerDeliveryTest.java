package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.config.ServiceConfig.Receiver;
import io.streamwatch.service.config.ServiceConfig.Secrets;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.PrometheusProcess;
import io.streamwatch.testkit.WebhookReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Delivery to a real Alertmanager (Debian's {@code prometheus-alertmanager}, started by the test
 * kit), which routes everything to a loopback webhook within ~100 ms. One Alertmanager serves the
 * whole class.
 */
class AlertmanagerDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Path dir;
    private static WebhookReceiver webhook;
    private static PrometheusProcess alertmanager;
    private static String alertmanagerUrl;

    @BeforeAll
    static void startAlertmanager() throws Exception {
        dir = Files.createTempDirectory("streamwatch-am-");
        webhook = WebhookReceiver.answering(200);
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(
                config,
                """
                route:
                  receiver: loopback
                  group_by: ['alertname', 'app']
                  group_wait: 100ms
                  group_interval: 100ms
                  repeat_interval: 1h
                receivers:
                  - name: loopback
                    webhook_configs:
                      - url: %s
                        send_resolved: true
                """
                        .formatted(webhook.url("/from-alertmanager")));
        alertmanager = PrometheusProcess.alertmanager(dir, config);
        alertmanagerUrl = alertmanager.base();
    }

    @AfterAll
    static void stopAlertmanager() throws Exception {
        if (alertmanager != null) alertmanager.close();
        if (webhook != null) webhook.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Optional<HttpResponse<String>> get(String path) {
        try {
            HttpRequest request =
                    HttpRequest.newBuilder(URI.create(alertmanagerUrl + path))
                            .timeout(Duration.ofSeconds(2))
                            .build();
            return Optional.of(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Alertmanager's webhook notifications about {@code app} with the given status. */
    private static List<JsonNode> notifications(String app, String status) {
        return webhook.received().stream()
                .map(WebhookReceiver.Received::json)
                .filter(
                        n ->
                                status.equals(n.get("status").asText())
                                        && app.equals(n.at("/commonLabels/app").asText()))
                .toList();
    }

    private static Optional<JsonNode> activeAlert(String app) {
        return get("/api/v2/alerts")
                .filter(r -> r.statusCode() == 200)
                .flatMap(
                        r -> {
                            try {
                                for (JsonNode a : JSON.readTree(r.body())) {
                                    if (app.equals(a.at("/labels/app").asText()))
                                        return Optional.of(a);
                                }
                                return Optional.empty();
                            } catch (IOException e) {
                                return Optional.empty();
                            }
                        });
    }

    @Test
    void firingAndResolvedGoThroughAlertmanagerToItsWebhook() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Clock clock = Clock.systemUTC();
        String app = "orders-" + System.nanoTime();
        Alert alert =
                TestAlerts.firing(
                        "StreamingAppDown",
                        app,
                        "critical",
                        clock.instant().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS));
        try (NotificationDispatcher dispatcher =
                new NotificationDispatcher(
                        List.of(
                                new Receiver(
                                        "alertmanager", alertmanagerUrl + "/", Secrets.none())),
                        Duration.ofSeconds(60),
                        "http://streamwatch.example:8080",
                        metrics,
                        clock,
                        Outbox.none())) {

            dispatcher.publish(alert, Transition.FIRING);

            Await.until(
                    WAIT,
                    () ->
                            "a firing notification from Alertmanager; webhook got "
                                    + webhook.received(),
                    () -> !notifications(app, "firing").isEmpty());
            JsonNode fired = notifications(app, "firing").get(0).at("/alerts/0");
            assertEquals(JSON.valueToTree(alert.labels()), fired.get("labels"));
            assertEquals(JSON.valueToTree(alert.annotations()), fired.get("annotations"));
            assertEquals(alert.generatorUrl(), fired.get("generatorURL").asText());
            assertEquals(alert.startsAt(), Instant.parse(fired.get("startsAt").asText()));
            assertEquals(
                    Fingerprint.of(alert.labels()),
                    fired.get("fingerprint").asText(),
                    "our webhook fingerprint is the one Alertmanager computes");

            JsonNode active =
                    activeAlert(app)
                            .orElseGet(
                                    () ->
                                            fail(
                                                    "GET /api/v2/alerts does not list the firing alert"));
            assertEquals("active", active.at("/status/state").asText());
            assertEquals(JSON.valueToTree(alert.labels()), active.get("labels"));
            Instant endsAt = Instant.parse(active.get("endsAt").asText());
            assertTrue(
                    endsAt.isAfter(clock.instant().plusSeconds(200)),
                    "valid for 4 resend intervals, was " + endsAt);

            Instant resolvedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            dispatcher.publish(TestAlerts.resolved(alert, resolvedAt), Transition.RESOLVED);

            Await.until(
                    WAIT,
                    () ->
                            "a resolved notification from Alertmanager; webhook got "
                                    + webhook.received(),
                    () -> !notifications(app, "resolved").isEmpty());
            JsonNode resolved = notifications(app, "resolved").get(0).at("/alerts/0");
            assertEquals("resolved", resolved.get("status").asText());
            assertEquals(JSON.valueToTree(alert.labels()), resolved.get("labels"));
            assertEquals(resolvedAt, Instant.parse(resolved.get("endsAt").asText()));
            assertEquals(
                    2.0,
                    metrics.get(MetricCatalogue.NOTIFICATIONS.meterName())
                            .tag("receiver", "alertmanager-0")
                            .tag("result", "sent")
                            .counter()
                            .count());
        }
    }
}
