package io.streamwatch.listener;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * The service's ingest endpoint over HTTPS (the JDK's {@link HttpsServer}) on a loopback port,
 * presenting a {@link TestCertificate}; accepts everything and records the event seqs and the
 * number of connections (handshakes tried, whether or not they succeed).
 */
final class HttpsFakeService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Long> seqs = Collections.synchronizedList(new ArrayList<Long>());
    private final AtomicInteger connections = new AtomicInteger();

    HttpsFakeService(TestCertificate certificate) throws Exception {
        server =
                HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(
                new HttpsConfigurator(certificate.serverContext()) {
                    @Override
                    public void configure(HttpsParameters params) {
                        connections.incrementAndGet();
                        super.configure(params);
                    }
                });
        server.setExecutor(executor);
        server.createContext("/api/v1/events", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    int connections() {
        return connections.get();
    }

    /** Seqs of the events received, in arrival order (heartbeats carry none). */
    List<Long> seqs() {
        synchronized (seqs) {
            return new ArrayList<Long>(seqs);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            InputStream in = exchange.getRequestBody();
            if ("gzip"
                    .equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            JsonNode envelope = JSON.readTree(in);
            for (JsonNode e : envelope.get("events")) {
                if (e.has("seq")) {
                    seqs.add(e.get("seq").asLong());
                }
            }
            byte[] body =
                    ("{\"accepted\":" + envelope.get("events").size() + ",\"duplicates\":0}")
                            .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
