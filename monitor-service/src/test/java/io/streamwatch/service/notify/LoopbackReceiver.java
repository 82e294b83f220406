package io.streamwatch.service.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A receiver on 127.0.0.1:random that records every request and answers as told: a fixed status,
 * a status per request index, or never (it hangs until closed).
 */
final class LoopbackReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received. */
    record Received(String method, String path, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The answer to one request. */
    record Reply(int status, String body) {}

    /** Chooses the reply for the {@code index}-th request (0-based). */
    interface Responder {
        Reply reply(int index);
    }

    private static final Reply HANG = new Reply(-1, "");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-receiver");
        t.setDaemon(true);
        return t;
    });
    private final Responder responder;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger blocked = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile String retryAfter;

    private LoopbackReceiver(Responder responder) throws IOException {
        this.responder = responder;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static LoopbackReceiver answering(int status) throws IOException {
        return new LoopbackReceiver(i -> new Reply(status, ""));
    }

    static LoopbackReceiver responding(Responder responder) throws IOException {
        return new LoopbackReceiver(responder);
    }

    /** Reads each request, then never answers until {@link #close()}. */
    static LoopbackReceiver hanging() throws IOException {
        return new LoopbackReceiver(i -> HANG);
    }

    /** From now on every answer other than 2xx carries {@code Retry-After: value}. */
    LoopbackReceiver retryAfter(String value) {
        this.retryAfter = value;
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests being held without an answer right now. */
    int blocked() {
        return blocked.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received r = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body);
            int index;
            synchronized (received) {
                index = received.size();
                received.add(r);
            }
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
