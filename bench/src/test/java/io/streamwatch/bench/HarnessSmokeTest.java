package io.streamwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamwatch.testkit.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load driver's pieces on toy sizes against the real service jar: envelopes the service
 * accepts, re-sends counted as duplicates, the heap read through jcmd, and a scrape that shows the
 * simulated app. No benchmark runs here.
 */
class HarnessSmokeTest {
    @Test
    void simulatedDriversAreAcceptedDeduplicatedAndVisible(@TempDir Path dir) throws Exception {
        String token = "smoke-" + System.nanoTime();
        try (ServiceProcess service = service(dir, token);
                IngestClient client = new IngestClient(service.url(), token, 2, 1)) {
            SimulatedDriver driver =
                    new SimulatedDriver("smoke-app", System.currentTimeMillis() - 60_000);
            byte[] first = driver.completedBatches(10, System.currentTimeMillis());
            IngestClient.Answer a = client.postAndWait(first);
            assertEquals(200, a.status(), a.body());
            assertEquals(10, a.accepted());
            IngestClient.Answer again = client.postAndWait(first);
            assertEquals(0, again.accepted());
            assertEquals(10, again.duplicates());
            assertEquals(
                    3, client.postAndWait(driver.oneBatch(System.currentTimeMillis())).accepted());

            assertTrue(ScaleBenchmark.heapAfterGcMb(service.pid()) > 0);
            String metrics = service.metrics();
            assertEquals(
                    11.0,
                    ServiceProcess.sample(
                            metrics,
                            "spark_streaming_batches_completed_total",
                            "app=\"smoke-app\""));
            assertEquals(
                    13.0,
                    ServiceProcess.sample(
                            metrics, "streamwatch_ingest_events_total", "result=\"accepted\""));
        }
    }

    @Test
    void aDriverWithAQuerySendsProgressTheServiceAccepts(@TempDir Path dir) throws Exception {
        String token = "smoke-q-" + System.nanoTime();
        try (ServiceProcess service = service(dir, token);
                IngestClient client = new IngestClient(service.url(), token, 2, 1)) {
            SimulatedDriver driver =
                    new SimulatedDriver("smoke-q", System.currentTimeMillis() - 60_000, true);
            IngestClient.Answer a =
                    client.postAndWait(driver.completedBatches(10, System.currentTimeMillis()));
            assertEquals(200, a.status(), a.body());
            assertEquals(21, a.accepted(), "queryStarted, 10 progress, 10 batchCompleted");
            IngestClient.Answer b = client.postAndWait(driver.oneBatch(System.currentTimeMillis()));
            assertEquals(200, b.status(), b.body());
            assertEquals(4, b.accepted());
            assertEquals(
                    11.0,
                    ServiceProcess.sample(
                            service.metrics(),
                            "spark_structured_streaming_batches_completed_total",
                            "app=\"smoke-q\""));
        }
    }

    /** The real service jar on {@code dir} with {@code token}; the reactor builds the jar first. */
    private static ServiceProcess service(Path dir, String token) throws Exception {
        assumeTrue(
                Files.isRegularFile(Path.of(System.getProperty("streamwatch.service.jar", "none"))),
                "the service jar (built before this module in the reactor) is needed");
        return ServiceProcess.in(dir)
                .token(token)
                .jvmArgs("-Xmx256m")
                .requestTimeout(Duration.ofSeconds(60))
                .yaml("")
                .start();
    }
}
