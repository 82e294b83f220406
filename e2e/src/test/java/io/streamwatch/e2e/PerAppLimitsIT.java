package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Finding 5 and 11 against the real service jar. A producer that claims 100,000 receivers gets them
 * refused beyond 1000 with a named 422, and the app's stored record stays small. A Spark UI
 * reported on 127.0.0.3, outside {@code spark.allowedUiNetworks: 127.0.0.1/32}, is never contacted
 * and the API says why, while a UI on 127.0.0.1 is polled. Loopback only.
 */
class PerAppLimitsIT {
    private static final String TOKEN = "limits-token-" + System.nanoTime();
    private static final int RECEIVERS_PER_REQUEST = 1000;

    /** A Spark UI stand-in that records every request and answers 404. */
    private static final class RecordingUi implements AutoCloseable {
        final HttpServer server;
        final List<String> requests = new CopyOnWriteArrayList<>();

        RecordingUi(int lastOctet) throws IOException {
            server =
                    HttpServer.create(
                            new InetSocketAddress(
                                    InetAddress.getByAddress(
                                            new byte[] {127, 0, 0, (byte) lastOctet}),
                                    0),
                            0);
            server.createContext(
                    "/",
                    x -> {
                        requests.add(x.getRequestURI().toString());
                        x.sendResponseHeaders(404, -1);
                        x.close();
                    });
            server.start();
        }

        String url() {
            return "http://"
                    + server.getAddress().getAddress().getHostAddress()
                    + ":"
                    + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** {@code s.ingest(events)}, waiting as the listener would while the app is over its rate. */
    private static HttpResponse<String> post(ServiceProcess s, Events events) {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = s.ingest(events);
            if (r.statusCode() != 429 || attempt > 20) return r;
            sleep(1000); // ingest.maxRequestsPerSecondPerApp: wait as the listener would
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        }
    }

    @Test
    void aHundredThousandReceiversAreRefusedAndAnOutsideUiIsNeverContacted() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-limits");
        try (RecordingUi outside = new RecordingUi(3);
                RecordingUi inside = new RecordingUi(1);
                ServiceProcess s =
                        ServiceProcess.in(dir)
                                .token(TOKEN)
                                .port(0)
                                .yaml(
                                        "spark: { restPollInterval: 200ms, allowedUiNetworks: \"127.0.0.1/32\" }\n")
                                .start()) {
            int accepted = 0;
            int refused = 0;
            String firstRefusal = null;
            for (int from = 0; from < 100_000; from += RECEIVERS_PER_REQUEST) {
                Events body =
                        Events.from("flood", "flood-1").uiUrl(outside.url()).startingAt(from + 1);
                long now = System.currentTimeMillis();
                for (int id = from; id < from + RECEIVERS_PER_REQUEST; id++) {
                    body.receiverStarted(now, id);
                }
                HttpResponse<String> r = post(s, body);
                if (r.statusCode() == 200) {
                    accepted++;
                } else {
                    assertEquals(422, r.statusCode(), r.body());
                    refused++;
                    if (firstRefusal == null) firstRefusal = r.body();
                }
            }
            assertEquals(1, accepted, "only the first 1000 receivers fit");
            assertEquals(99, refused);
            assertTrue(
                    firstRefusal.contains(
                            "events[0].receiver.streamId: app 'flood' already has 1000 receivers (the most an app may have)"),
                    firstRefusal);
            // Heartbeats rewrite the app's record; it must stay small.
            for (int i = 0; i < 20; i++) {
                Events hb =
                        Events.from("flood", "flood-1")
                                .uiUrl(outside.url())
                                .heartbeat(System.currentTimeMillis());
                assertEquals(200, post(s, hb).statusCode());
            }
            JsonNode flood = s.json("/api/v1/apps/flood");
            assertEquals(1000, flood.get("receivers").size());
            long stored = sizeOf(dir.resolve("data"));
            assertTrue(stored < 5_000_000, "storage.dir holds " + stored + " bytes");

            Events polled =
                    Events.from("polled", "polled-1")
                            .uiUrl(inside.url())
                            .heartbeat(System.currentTimeMillis());
            assertEquals(200, post(s, polled).statusCode());
            Await.until(
                    Duration.ofSeconds(30),
                    "the UI on 127.0.0.1 to be polled",
                    () -> inside.requests.size() >= 3);
            Await.until(
                    Duration.ofSeconds(10),
                    "the API to say why the UI on 127.0.0.3 is not polled",
                    () -> !s.json("/api/v1/apps/flood").get("rest").get("refused").isNull());
            assertEquals(
                    "ui host 127.0.0.3 is outside spark.allowedUiNetworks [127.0.0.1/32]",
                    s.json("/api/v1/apps/flood").get("rest").get("refused").asText());
            assertEquals(List.of(), outside.requests, "the UI on 127.0.0.3 was contacted");
            assertEquals(
                    1,
                    s.log()
                            .lines()
                            .filter(l -> l.contains("is not polled: ui host 127.0.0.3"))
                            .count(),
                    "the refusal is logged once");
        }
    }
}
