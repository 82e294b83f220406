package io.streamwatch.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An HTTP receiver on 127.0.0.1 and a free port that records every request (on any path) with the
 * time it arrived, answers as told (a fixed status, a status per request, or never: it holds the
 * request until closed), and reads Alertmanager-webhook bodies ({@code {"alerts":[{status, labels,
 * annotations}]}}, what the service's webhook and Alertmanager send) as {@link Alert}s.
 */
public final class WebhookReceiver implements AutoCloseable {
    /**
     * One request as received; {@code receivedAtMs} is this machine's clock before the body was
     * read.
     */
    public record Received(
            String method, String path, String contentType, String body, long receivedAtMs) {
        public JsonNode json() {
            try {
                return ServiceProcess.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The answer to one request. */
    public record Reply(int status, String body) {}

    /** Chooses the reply for the {@code index}-th request (0-based). */
    public interface Responder {
        Reply reply(int index);
    }

    /** One alert of one notification, with the path it came to and when. */
    public record Alert(
            String path,
            long receivedAtMs,
            String status,
            Map<String, String> labels,
            Map<String, String> annotations,
            JsonNode body) {
        public String label(String name) {
            return labels.getOrDefault(name, "");
        }

        public String alertname() {
            return label("alertname");
        }

        public String app() {
            return label("app");
        }

        public String summary() {
            return annotations.getOrDefault("summary", "");
        }

        @Override
        public String toString() {
            return status + " " + alertname() + " " + app() + " (" + summary() + ")";
        }
    }

    private static final Reply HANG = new Reply(-1, "");

    private final HttpServer server;
    private final ExecutorService executor =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "webhook-receiver");
                        t.setDaemon(true);
                        return t;
                    });
    private final Responder responder;
    private final Consumer<Alert> onAlert;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger blocked = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile String retryAfter;

    private WebhookReceiver(Responder responder, Consumer<Alert> onAlert) throws IOException {
        this.responder = responder;
        this.onAlert = onAlert;
        this.server = HttpServer.create(new InetSocketAddress(Loopback.HOST, 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Answers 200 to everything. */
    public static WebhookReceiver start() throws IOException {
        return answering(200);
    }

    public static WebhookReceiver answering(int status) throws IOException {
        return new WebhookReceiver(i -> new Reply(status, ""), null);
    }

    public static WebhookReceiver responding(Responder responder) throws IOException {
        return new WebhookReceiver(responder, null);
    }

    /** Reads each request, then never answers until {@link #close()}. */
    public static WebhookReceiver hanging() throws IOException {
        return new WebhookReceiver(i -> HANG, null);
    }

    /**
     * Answers 200 to everything and hands each alert of each notification to {@code onAlert} as it
     * arrives.
     */
    public static WebhookReceiver notifying(Consumer<Alert> onAlert) throws IOException {
        return new WebhookReceiver(i -> new Reply(200, ""), onAlert);
    }

    /** From now on every answer other than 2xx carries {@code Retry-After: value}. */
    public WebhookReceiver retryAfter(String value) {
        this.retryAfter = value;
        return this;
    }

    /** {@code http://127.0.0.1:PORT/hook}. */
    public String url() {
        return url("/hook");
    }

    public String url(String path) {
        return "http://" + Loopback.HOST + ":" + server.getAddress().getPort() + path;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests being held without an answer right now. */
    public int blocked() {
        return blocked.get();
    }

    /**
     * Every alert of every notification so far, in order of arrival (bodies that are not JSON are
     * skipped).
     */
    public List<Alert> alerts() {
        List<Alert> all = new ArrayList<>();
        for (Received r : received) all.addAll(alerts(r));
        return all;
    }

    /** The alerts whose {@code app} label is {@code app}. */
    public List<Alert> alerts(String app) {
        return alerts().stream().filter(a -> a.app().equals(app)).toList();
    }

    /** Whether {@code alertname} for {@code app} arrived with {@code status} (firing, resolved). */
    public boolean has(String app, String alertname, String status) {
        return alerts(app).stream()
                .anyMatch(a -> a.alertname().equals(alertname) && a.status().equals(status));
    }

    /**
     * The first firing alert on {@code path} for {@code alertname} whose label {@code label} is
     * {@code value}.
     */
    public Optional<Alert> firstFiring(String path, String alertname, String label, String value) {
        return alerts().stream()
                .filter(
                        a ->
                                a.path().equals(path)
                                        && a.status().equals("firing")
                                        && a.alertname().equals(alertname)
                                        && a.label(label).equals(value))
                .findFirst();
    }

    private static List<Alert> alerts(Received r) {
        JsonNode body;
        try {
            body = r.json();
        } catch (UncheckedIOException e) {
            return List.of();
        }
        List<Alert> out = new ArrayList<>();
        for (JsonNode a : body.path("alerts")) {
            out.add(
                    new Alert(
                            r.path(),
                            r.receivedAtMs(),
                            a.path("status").asText(),
                            strings(a.path("labels")),
                            strings(a.path("annotations")),
                            body));
        }
        return out;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> m = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return Collections.unmodifiableMap(m);
    }

    private void handle(HttpExchange exchange) throws IOException {
        long at = System.currentTimeMillis();
        try (exchange) {
            String body =
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received r =
                    new Received(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().getPath(),
                            exchange.getRequestHeaders().getFirst("Content-Type"),
                            body,
                            at);
            int index;
            synchronized (received) {
                index = received.size();
                received.add(r);
            }
            if (onAlert != null) alerts(r).forEach(onAlert);
            Reply reply = responder.reply(index);
            if (reply == HANG) {
                blocked.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    blocked.decrementAndGet();
                }
                return;
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            String wait = retryAfter;
            if (wait != null && (reply.status() < 200 || reply.status() > 299)) {
                exchange.getResponseHeaders().set("Retry-After", wait);
            }
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
