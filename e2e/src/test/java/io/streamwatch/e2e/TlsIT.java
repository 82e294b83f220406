package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ChildProcess;
import io.streamwatch.testkit.SelfSignedCert;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS end to end: the service jar with {@code server.tls} from a self-signed certificate made for
 * this run, and a real local Spark Streaming app whose listener (attached by spark.extraListeners)
 * ships to {@code https://127.0.0.1:PORT} trusting that certificate via {@code
 * spark.streamwatch.trustCertFile}.
 */
class TlsIT {
    private static final String TOKEN = "tls-e2e-token-" + System.nanoTime();
    private static final String APP = "tls e2e app";

    private static Path dir;
    private static SelfSignedCert cert;
    private static ServiceProcess service;

    @BeforeAll
    static void startTheServiceWithTls() throws Exception {
        dir = Files.createTempDirectory("streamwatch-tls-e2e");
        cert = SelfSignedCert.generate(dir, "streamwatch", "ip:127.0.0.1,dns:localhost");
        service = ServiceProcess.in(dir.resolve("service")).token(TOKEN).tls(cert).start();
    }

    @AfterAll
    static void stopService() {
        if (service != null) service.close();
    }

    @Test
    void batchesOfASparkAppArriveOverHttpsWithTrustCertFile() {
        SparkBatchRecorder oracle = new SparkBatchRecorder();
        StreamingDriver.processingMs.set(100);
        SparkConf conf =
                StreamingDriver.conf(APP, service.url(), TOKEN)
                        .set("spark.streamwatch.trustCertFile", cert.certFile().toString());
        JavaStreamingContext ssc = StreamingDriver.start(conf);
        ssc.sparkContext().sc().addSparkListener(oracle);
        try {
            Await.until(
                    Duration.ofSeconds(90),
                    "5 batches in /batches over HTTPS",
                    () -> batches().size() >= 5);
        } finally {
            ssc.stop(true, false);
        }
        Set<Long> spark =
                oracle.completed.stream()
                        .map(b -> b.batchTime().milliseconds())
                        .collect(Collectors.toCollection(TreeSet::new));
        Await.until(
                Duration.ofSeconds(30),
                "every batch Spark completed (" + spark.size() + ") in the service",
                () -> batchTimes().containsAll(spark));
        assertEquals(batches().size(), batchTimes().size(), "each batch once");
        assertFalse(service.log().contains("PRIVATE KEY"), "no key material in the service log");
    }

    private static Set<Long> batchTimes() {
        return batches().stream()
                .map(b -> b.get("batchTime").asLong())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theServiceSpeaksNoPlainHttpAndRefusesClientsThatDoNotTrustIt() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest overHttp =
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + service.port() + "/healthz"))
                        .timeout(Duration.ofSeconds(10))
                        .build();
        assertThrows(
                IOException.class,
                () -> plain.send(overHttp, HttpResponse.BodyHandlers.ofString()));
        HttpRequest overHttps =
                HttpRequest.newBuilder(URI.create(service.url() + "/healthz"))
                        .timeout(Duration.ofSeconds(10))
                        .build();
        assertThrows(
                IOException.class,
                () -> plain.send(overHttps, HttpResponse.BodyHandlers.ofString()),
                "the JVM's default trust store does not know a self-signed certificate");
        assertEquals(200, service.get("/healthz").statusCode());
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateStopsTheJarWithAMessage() throws Exception {
        SelfSignedCert stranger = SelfSignedCert.generate(dir, "stranger", "ip:127.0.0.1");
        ChildProcess l =
                ServiceProcess.in(dir.resolve("mismatch"))
                        .token(TOKEN)
                        .tls(cert.certFile(), stranger.keyFile(), null)
                        .launch();
        assertTrue(
                l.process().waitFor(60, TimeUnit.SECONDS), "the service must exit: " + l.output());
        assertNotEquals(0, l.process().exitValue());
        String out = l.output();
        assertTrue(
                out.contains("server.tls.keyFile")
                        && out.contains("does not belong to the first certificate"),
                out);
        assertFalse(out.contains("TLS is on"), out);
    }

    /** Completed batches of the app, newest first, read over HTTPS. */
    private static java.util.List<com.fasterxml.jackson.databind.JsonNode> batches() {
        java.util.List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        service.batches(APP, 1000).forEach(out::add);
        return out;
    }
}
