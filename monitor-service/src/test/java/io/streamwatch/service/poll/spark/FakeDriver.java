package io.streamwatch.service.poll.spark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A Spark driver's REST API on a loopback port, answering with the responses captured from a real
 * Spark 3.5.3 driver (src/test/resources/spark-rest). Any answer can be replaced, the whole driver
 * can hang, and every request is recorded.
 */
final class FakeDriver implements AutoCloseable {
    /** The application id of the captured driver. */
    static final String APP_ID = "local-1795291094879";

    static final long FAILED_BATCH = 1795291101000L;
    static final String STREAMING = "/" + APP_ID + "/streaming";

    record Answer(int status, String body) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean hang;

    private FakeDriver() {
        this(InetAddress.getLoopbackAddress());
    }

    /**
     * @param loopback the address to listen on, always in 127.0.0.0/8
     */
    private FakeDriver(InetAddress loopback) {
        if (!loopback.isLoopbackAddress())
            throw new IllegalArgumentException("tests listen on loopback only: " + loopback);
        try {
            server = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves the captured responses of one running streaming app. */
    static FakeDriver withCapturedApp() {
        return withCapturedAppOn(InetAddress.getLoopbackAddress());
    }

    /** The captured app, listening on another loopback address (e.g. 127.0.0.3). */
    static FakeDriver withCapturedAppOn(InetAddress loopback) {
        FakeDriver d = new FakeDriver(loopback);
        d.answer("", fixture("applications.json"));
        d.answer(STREAMING + "/statistics", fixture("statistics.json"));
        d.answer(STREAMING + "/receivers", fixture("receivers.json"));
        d.answer(STREAMING + "/batches?status=QUEUED", fixture("batches-queued.json"));
        d.answer(STREAMING + "/batches?status=PROCESSING", fixture("batches-processing.json"));
        d.answer(STREAMING + "/batches?status=COMPLETED", fixture("batches-completed.json"));
        d.answer(
                STREAMING + "/batches/" + FAILED_BATCH + "/operations",
                fixture("operations-failed.json"));
        return d;
    }

    /** Accepts connections and never answers (until closed). */
    static FakeDriver hanging() {
        FakeDriver d = new FakeDriver();
        d.hang = true;
        return d;
    }

    static String fixture(String name) {
        try (InputStream in = FakeDriver.class.getResourceAsStream("/spark-rest/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture spark-rest/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param path below {@code /api/v1/applications}, with the query string if any
     */
    void answer(String path, String json) {
        answers.put(path, new Answer(200, json));
    }

    /** Answers {@code path} with a 302 to {@code location}. */
    void redirect(String path, String location) {
        redirects.put(path, location);
    }

    void answer(String path, int status, String body) {
        answers.put(path, new Answer(status, body));
    }

    String url() {
        return "http://"
                + server.getAddress().getAddress().getHostAddress()
                + ":"
                + server.getAddress().getPort();
    }

    /**
     * How many requests so far were for {@code path} (below {@code /api/v1/applications}, with
     * query).
     */
    long requests(String path) {
        return requests.stream().filter(path::equals).count();
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String uri = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String prefix = "/api/v1/applications";
            String path =
                    (uri.startsWith(prefix) ? uri.substring(prefix.length()) : uri)
                            + (query == null ? "" : "?" + query);
            requests.add(path);
            if (hang) {
                try {
                    released.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            String location = redirects.get(path);
            if (location != null) {
                exchange.getResponseHeaders().set("Location", location);
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            // Spark answers unknown application ids and stopped StreamingContexts with 404 and a
            // text line.
            Answer a =
                    answers.getOrDefault(path, new Answer(404, "unknown app or resource: " + path));
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders()
                    .set("Content-Type", a.status() == 200 ? "application/json" : "text/plain");
            exchange.sendResponseHeaders(a.status(), body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
