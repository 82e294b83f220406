package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.ServiceProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, findings 1 and 3, against the real service jar (default heap of the test kit, 512 MiB):
 * 40 concurrent gzip bombs (about a kilobyte each, a mebibyte of tiny JSON nodes inflated) leave
 * the service up with {@code /healthz} answering within a second, and a {@code records} count that
 * would overflow the running total is refused while {@code /metrics} keeps answering 200.
 */
class HostileIngestIT {
    private static final String TOKEN = "hostile-token-" + System.nanoTime();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void fortyConcurrentGzipBombsLeaveTheServiceAnsweringWithinASecond() throws Exception {
        try (ServiceProcess svc =
                ServiceProcess.in(Files.createTempDirectory("streamwatch-hostile"))
                        .token(TOKEN)
                        .port(0)
                        .start()) {
            List<byte[]> bombs = new ArrayList<>();
            for (int i = 0; i < 40; i++) bombs.add(i % 2 == 0 ? unknownFieldBomb() : recordBomb());
            assertTrue(bombs.get(0).length < 4096, "a bomb is small on the wire");

            // A service that has run for a while has its parser compiled: two bombs first, alone.
            for (int i = 0; i < 2; i++) http.send(post(svc, bombs.get(i), "gzip"), ofString());

            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (byte[] bomb : bombs) sent.add(http.sendAsync(post(svc, bomb, "gzip"), ofString()));
            long worstMs = 0;
            List<Long> latencies = new ArrayList<>();
            int probes = 0;
            while (!CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).isDone()
                    || probes < 5) {
                long t0 = System.nanoTime();
                HttpResponse<String> h =
                        http.send(
                                HttpRequest.newBuilder(URI.create(svc.url() + "/healthz"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                ofString());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                latencies.add(ms);
                worstMs = Math.max(worstMs, ms);
                assertEquals(200, h.statusCode(), "/healthz during the bombs");
                probes++;
                Thread.sleep(50);
            }
            List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : sent)
                statuses.add(f.get().statusCode());
            System.out.println("bombs answered " + statuses + "; /healthz took (ms) " + latencies);
            assertTrue(worstMs < 1000, "/healthz answered within a second; took (ms) " + latencies);
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                int status = f.get().statusCode();
                assertTrue(
                        status == 400 || status == 413 || status == 503,
                        "a bomb is refused with 400/413/503, got " + status + " " + f.get().body());
            }
            assertTrue(svc.process().alive(), "the service is still running");
            assertTrue(!svc.log().contains("OutOfMemoryError"), "no OutOfMemoryError in the log");

            // A genuine request is still taken.
            long now = System.currentTimeMillis();
            assertEquals(200, svc.ingest(batch("after-bombs", 1, now, 10)).statusCode());
        }
    }

    @Test
    void aRecordsCountThatWouldOverflowIsRefusedAndMetricsStayUp() throws Exception {
        try (ServiceProcess svc =
                ServiceProcess.in(Files.createTempDirectory("streamwatch-overflow"))
                        .token(TOKEN)
                        .port(0)
                        .start()) {
            long now = System.currentTimeMillis();
            assertEquals(200, svc.ingest(batch("overflow", 1, now - 3000, 5)).statusCode());
            HttpResponse<String> refused =
                    svc.ingest(batch("overflow", 2, now - 2000, Long.MAX_VALUE / 4));
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(
                    refused.body().contains("events[0].batch.records: must be <= 1000000000"),
                    refused.body());
            HttpResponse<String> again =
                    svc.ingest(batch("overflow", 3, now - 1000, Long.MAX_VALUE / 4));
            assertEquals(400, again.statusCode(), again.body());
            assertEquals(200, svc.ingest(batch("overflow", 4, now, 7)).statusCode());

            HttpResponse<String> metrics = svc.get("/metrics");
            assertEquals(200, metrics.statusCode(), "/metrics after the attempt");
            assertEquals(
                    12.0,
                    ServiceProcess.sample(
                            metrics.body(), "spark_streaming_records_total", "app=\"overflow\""),
                    "only the genuine batches count");
        }
    }

    private static HttpResponse.BodyHandler<String> ofString() {
        return HttpResponse.BodyHandlers.ofString();
    }

    private static HttpRequest post(ServiceProcess svc, byte[] body, String encoding) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(svc.url() + "/api/v1/events"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) b.header("Content-Encoding", encoding);
        return b.build();
    }

    /** One completed batch of {@code records} records, as a listener sends it. */
    private static Events batch(String app, long seq, long batchTime, long records) {
        return Events.from(app, "app-1").startingAt(seq).completed(batchTime, 0, 50, records, null);
    }

    /** The shape of the report: about a mebibyte of empty arrays under one field. */
    private static byte[] unknownFieldBomb() {
        return gzip("{\"schema\":1,\"x\":[" + "[],".repeat(340_000) + "[]]}");
    }

    /** A valid envelope whose batch lists a mebibyte of empty output operations. */
    private static byte[] recordBomb() {
        Events one = batch("bomb", 1, System.currentTimeMillis(), 1);
        ObjectNode batch = (ObjectNode) one.root().get("events").get(0).get("batch");
        ArrayNode ops = batch.putArray("outputOps");
        for (int i = 0; i <= 330_000; i++) ops.addObject();
        return gzip(one.json());
    }

    private static byte[] gzip(String s) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(s.getBytes(StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
