package io.streamwatch.listener;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in for streamwatch-service's ingest endpoint on a loopback port: records every request
 * (gzip-decoded and parsed) before answering with the status its {@link Responder} picks.
 */
final class FakeService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Picks the status for one request; may block (to simulate a hanging service). */
    interface Responder {
        int status(JsonNode envelope, int requestIndex) throws InterruptedException;
    }

    /** One recorded request. */
    static final class Request {
        final String authorization;
        final String contentType;
        final String contentEncoding;
        final JsonNode envelope;
        final int status;

        Request(
                String authorization,
                String contentType,
                String contentEncoding,
                JsonNode envelope,
                int status) {
            this.authorization = authorization;
            this.contentType = contentType;
            this.contentEncoding = contentEncoding;
            this.envelope = envelope;
            this.status = status;
        }

        boolean accepted() {
            return status == 200;
        }

        boolean heartbeat() {
            JsonNode events = envelope.get("events");
            return events.size() == 1 && "heartbeat".equals(events.get(0).get("type").asText());
        }

        List<JsonNode> events() {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode e : envelope.get("events")) {
                out.add(e);
            }
            return out;
        }

        List<Long> seqs() {
            List<Long> out = new ArrayList<>();
            for (JsonNode e : envelope.get("events")) {
                if (e.has("seq")) {
                    out.add(e.get("seq").asLong());
                }
            }
            return out;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<Request>());
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile Responder responder = (envelope, index) -> 200;
    private volatile String retryAfter;

    private FakeService(int port) throws IOException {
        server =
                HttpServer.create(
                        new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        server.setExecutor(executor);
        server.createContext("/api/v1/events", this::handle);
        server.start();
    }

    static FakeService start() throws IOException {
        return new FakeService(0);
    }

    static FakeService start(int port) throws IOException {
        return new FakeService(port);
    }

    /** A loopback port with nothing listening on it (at the moment of the call). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void respondWith(Responder responder) {
        this.responder = responder;
    }

    /** Every answer other than 200 carries {@code Retry-After: value} (null: none). */
    void retryAfter(String value) {
        this.retryAfter = value;
    }

    /** Requests that reached the handler, answered or not. */
    int arrived() {
        return arrived.get();
    }

    List<Request> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    /** Non-heartbeat requests, in arrival order. */
    List<Request> eventRequests() {
        List<Request> out = new ArrayList<>();
        for (Request r : requests()) {
            if (!r.heartbeat()) {
                out.add(r);
            }
        }
        return out;
    }

    /** Events (not heartbeats) of the accepted requests, in arrival order. */
    List<JsonNode> acceptedEvents() {
        List<JsonNode> out = new ArrayList<>();
        for (Request r : requests()) {
            if (r.accepted() && !r.heartbeat()) {
                out.addAll(r.events());
            }
        }
        return out;
    }

    /** Accepted events of one {@code type}, in arrival order. */
    List<JsonNode> acceptedEvents(String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : acceptedEvents()) {
            if (type.equals(e.path("type").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Accepted query events of one {@code type} ({@code queryStarted}, {@code queryProgress}, ...)
     * of one run, in arrival order; a progress event's run id is in its {@code progress}.
     */
    List<JsonNode> queryEvents(String type, String runId) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : acceptedEvents(type)) {
            JsonNode ids = e.has("progress") ? e.get("progress") : e;
            if (runId.equals(ids.path("runId").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    List<Long> acceptedSeqs() {
        List<Long> out = new ArrayList<>();
        for (Request r : requests()) {
            if (r.accepted()) {
                out.addAll(r.seqs());
            }
        }
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            int index = arrived.getAndIncrement();
            byte[] raw = readFully(exchange.getRequestBody());
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            InputStream in = new ByteArrayInputStream(raw);
            if ("gzip".equalsIgnoreCase(encoding)) {
                in = new GZIPInputStream(in);
            }
            JsonNode envelope = JSON.readTree(in);
            int status;
            try {
                status = responder.status(envelope, index);
            } catch (InterruptedException e) {
                return;
            }
            requests.add(
                    new Request(
                            exchange.getRequestHeaders().getFirst("Authorization"),
                            exchange.getRequestHeaders().getFirst("Content-Type"),
                            encoding,
                            envelope,
                            status));
            String body =
                    status == 200
                            ? "{\"accepted\":"
                                    + envelope.get("events").size()
                                    + ",\"duplicates\":0}"
                            : "{\"error\":\"fake service says " + status + "\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (status == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            }
            String wait = retryAfter;
            if (status != 200 && wait != null) {
                exchange.getResponseHeaders().set("Retry-After", wait);
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } finally {
            exchange.close();
        }
    }

    private static byte[] readFully(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
