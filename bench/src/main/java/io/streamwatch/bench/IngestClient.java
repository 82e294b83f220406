package io.streamwatch.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts envelopes to {@code POST /api/v1/events} over loopback HTTP/1.1 keep-alive, at most {@code
 * maxInFlight} at once.
 */
final class IngestClient implements AutoCloseable {
    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\":(\\d+)");
    private static final Pattern DUPLICATES = Pattern.compile("\"duplicates\":(\\d+)");

    /**
     * The service's answer: HTTP status, accepted and duplicate events (0 unless 200), and the
     * round trip.
     */
    record Answer(int status, int accepted, int duplicates, long nanos, String body) {}

    private final URI uri;
    private final String auth;
    private final ExecutorService executor;
    private final HttpClient http;
    private final Semaphore inFlight;

    IngestClient(String baseUrl, String token, int maxInFlight, int threads) {
        this.uri = URI.create(baseUrl + "/api/v1/events");
        this.auth = "Bearer " + token;
        this.executor =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "bench-ingest-client");
                            t.setDaemon(true);
                            return t;
                        });
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .executor(executor)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
        this.inFlight = new Semaphore(maxInFlight);
    }

    /**
     * Sends one gzip body; waits for a free in-flight slot first. The future never fails: errors
     * are status -1.
     */
    CompletableFuture<Answer> post(byte[] gzipJson) {
        inFlight.acquireUninterruptibly();
        long started = System.nanoTime();
        HttpRequest req =
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", auth)
                        .header("Content-Type", "application/json")
                        .header("Content-Encoding", "gzip")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(gzipJson))
                        .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .handle(
                        (r, e) -> {
                            inFlight.release();
                            long nanos = System.nanoTime() - started;
                            if (e != null) return new Answer(-1, 0, 0, nanos, String.valueOf(e));
                            if (r.statusCode() != 200)
                                return new Answer(r.statusCode(), 0, 0, nanos, r.body());
                            Matcher a = ACCEPTED.matcher(r.body());
                            Matcher d = DUPLICATES.matcher(r.body());
                            if (!a.find() || !d.find())
                                return new Answer(-2, 0, 0, nanos, r.body());
                            return new Answer(
                                    200,
                                    Integer.parseInt(a.group(1)),
                                    Integer.parseInt(d.group(1)),
                                    nanos,
                                    null);
                        });
    }

    Answer postAndWait(byte[] gzipJson) {
        return post(gzipJson).join();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
