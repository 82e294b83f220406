package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.spark.SparkLine;
import io.streamwatch.testkit.spark.SparkLineDriverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one listener jar on every supported Spark line (docs/COMPATIBILITY.md): a real driver per
 * line in its own JVM, on that line's classpath (compat/), the listener attached only by {@code
 * spark.extraListeners} and {@code spark.streamwatch.*}. One DStream batch and one micro-batch each
 * must arrive exactly as Spark reported them. One service for all lines.
 */
class SparkLinesIT {
    private static final String TOKEN = "compat-" + System.nanoTime();
    private static Path dir;
    private static ServiceProcess service;

    @BeforeAll
    static void startService() throws Exception {
        dir = Files.createTempDirectory("streamwatch-spark-lines");
        service = ServiceProcess.start(dir.resolve("service"), TOKEN, "");
    }

    @AfterAll
    static void stopService() {
        if (service != null) service.close();
    }

    /** Every line, or those named in {@code -Dstreamwatch.compat.lines=3.5_2.12,4.2_2.13}. */
    static Stream<SparkLine> lines() {
        String only = System.getProperty("streamwatch.compat.lines", "");
        return SparkLine.ALL.stream()
                .filter(l -> only.isBlank() || ("," + only + ",").contains("," + l.id() + ","));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void aDStreamBatchAndAMicroBatchArriveExactlyAsSparkReportedThem(SparkLine line)
            throws Exception {
        long start = System.nanoTime();
        String app = "compat " + line.id();
        try (SparkLineDriverProcess driver =
                SparkLineDriverProcess.on(line, dir.resolve(line.id()))
                        .app(app)
                        .service(service.url(), TOKEN)
                        .start()) {
            assertEquals(line.sparkVersion(), driver.sparkVersion(), "the Spark that ran");
            assertTrue(
                    driver.scalaVersion().startsWith(line.scalaBinary() + "."),
                    "Scala " + driver.scalaVersion());
            driver.command("dstream start intervalMs=1000 perTick=2");
            driver.command("query smoke triggerMs=1000 rows=2");
            driver.awaitUntil(
                    Duration.ofSeconds(120),
                    "a DStream batch with records and a micro-batch",
                    e ->
                            driver.dstreamBatches().stream()
                                            .anyMatch(b -> b.path("records").asLong() > 0)
                                    && !driver.microBatches("smoke").isEmpty());
            driver.command("stop smoke");
            driver.command("dstream stop");

            SparkTruth.assertDStreamBatchesExactly(service, app, driver);
            assertEquals(
                    line.sparkVersion(),
                    service.json("/api/v1/apps/" + ServiceProcess.encode(app))
                            .path("sparkVersion")
                            .asText(),
                    "the Spark version the listener reported");
            SparkTruth.assertMicroBatchesExactly(service, app, "smoke", driver);
        } finally {
            System.out.printf(
                    "SparkLinesIT %s: %d ms%n", line.id(), (System.nanoTime() - start) / 1_000_000);
        }
    }
}
