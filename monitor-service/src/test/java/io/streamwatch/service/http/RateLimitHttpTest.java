package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.Events;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ingest.maxRequestsPerSecondPerApp} over real HTTP, with the service's clock moved by hand.
 */
class RateLimitHttpTest {

    @Test
    void aBurstIsAcceptedTheNextRequestIs429WithRetryAfterAndTheAppRecoversAfterTheWindow()
            throws Exception {
        try (LoopbackService svc =
                LoopbackService.start(
                        "rate",
                        Map.of("STREAMWATCH_INGEST_MAX_REQUESTS_PER_SECOND_PER_APP", "5"))) {
            long t = svc.clock.millis();
            // 5 per second allows bursts of max(10, 2 x 5) = 10 requests.
            for (int i = 0; i < 10; i++) {
                assertEquals(
                        200,
                        svc.ingest(
                                        Events.from("busy", "app-b")
                                                .startingAt(1 + i)
                                                .completed(t - 60_000 + i * 1000L, 1, 10, 1, null))
                                .status(),
                        "request " + (i + 1) + " of the burst");
            }
            String before = svc.snapshot("busy");
            LoopbackService.Response refused =
                    svc.ingest(
                            Events.from("busy", "app-b")
                                    .startingAt(11)
                                    .completed(t - 40_000, 1, 10, 1, null));
            assertRefused(
                    refused,
                    429,
                    "too many requests for app 'busy': at most 5 per second (bursts up to 10)");
            assertTrue(
                    refused.json()
                            .get("error")
                            .asText()
                            .contains("ingest.maxRequestsPerSecondPerApp"),
                    refused.toString());
            assertEquals("1", refused.header("Retry-After"));
            assertEquals(
                    before, svc.snapshot("busy"), "the refused request's batch was not applied");

            assertEquals(
                    200,
                    svc.ingest(Events.from("quiet", "app-q").heartbeat(t)).status(),
                    "other apps are not limited by busy's flood");
            assertTrue(
                    svc.get("/metrics", null)
                            .body()
                            .contains(
                                    "streamwatch_ingest_requests_total{result=\"too_many\"} 1.0"));

            svc.clock.advance(Duration.ofSeconds(1));
            LoopbackService.Response retried =
                    svc.ingest(
                            Events.from("busy", "app-b")
                                    .startingAt(11)
                                    .completed(t - 40_000, 1, 10, 1, null));
            assertEquals(200, retried.status(), retried.toString());
            assertEquals(
                    1,
                    retried.json().get("accepted").asInt(),
                    "the retry is applied, not a duplicate");
            assertEquals(
                    11,
                    svc.get("/api/v1/apps/busy/batches?limit=100", READER)
                            .json()
                            .get("batches")
                            .size());
        }
    }

    @Test
    void aSlowLimitAsksForALongerWait() throws Exception {
        try (LoopbackService svc =
                LoopbackService.start(
                        "rate-slow",
                        Map.of("STREAMWATCH_INGEST_MAX_REQUESTS_PER_SECOND_PER_APP", "0.25"))) {
            long t = svc.clock.millis();
            for (int i = 0; i < 10; i++)
                assertEquals(200, svc.ingest(Events.from("slow", "app-s").heartbeat(t)).status());
            LoopbackService.Response refused =
                    svc.ingest(Events.from("slow", "app-s").heartbeat(t));
            assertRefused(refused, 429, "at most 0.25 per second");
            assertEquals("4", refused.header("Retry-After"));
            svc.clock.advance(Duration.ofSeconds(3));
            assertEquals(
                    "1",
                    svc.ingest(Events.from("slow", "app-s").heartbeat(t)).header("Retry-After"));
            svc.clock.advance(Duration.ofSeconds(1));
            assertEquals(200, svc.ingest(Events.from("slow", "app-s").heartbeat(t)).status());
        }
    }

    @Test
    void invalidRequestsDoNotUseUpTheAppsAllowance() throws Exception {
        try (LoopbackService svc =
                LoopbackService.start(
                        "rate-invalid",
                        Map.of("STREAMWATCH_INGEST_MAX_REQUESTS_PER_SECOND_PER_APP", "5"))) {
            long t = svc.clock.millis();
            for (int i = 0; i < 30; i++) {
                Events bad = Events.from("target", "app-t").heartbeat(t);
                bad.root().put("schema", 9);
                assertEquals(400, svc.ingest(bad).status());
            }
            assertEquals(
                    200,
                    svc.ingest(Events.from("target", "app-t").heartbeat(t)).status(),
                    "only requests that would be applied count: refusing garbage is cheap, the limit protects state");
        }
    }
}
