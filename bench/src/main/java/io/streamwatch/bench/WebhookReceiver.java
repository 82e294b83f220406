package io.streamwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A loopback webhook that records every Alertmanager-format notification with the time it arrived (this machine's
 * clock, taken before the body is read). Two paths: {@code /ours} for the service, {@code /baseline} for Alertmanager.
 */
final class WebhookReceiver implements AutoCloseable {
    /** One alert of one notification. */
    record Note(String path, long receivedAtMs, String status, JsonNode labels) {
        String label(String name) {
            return labels.path(name).asText();
        }
    }

    final List<Note> notes = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-webhook");
            t.setDaemon(true);
            return t;
        }));
        for (String path : List.of("/ours", "/baseline")) {
            server.createContext(path, exchange -> {
                long at = System.currentTimeMillis();
                try {
                    JsonNode json = ServiceProcess.JSON.readTree(exchange.getRequestBody().readAllBytes());
                    for (JsonNode a : json.path("alerts")) notes.add(new Note(path, at, a.path("status").asText(), a.path("labels")));
                    exchange.sendResponseHeaders(200, -1);
                } catch (IOException e) {
                    exchange.sendResponseHeaders(400, -1);
                } finally {
                    exchange.close();
                }
            });
        }
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The first firing notification on {@code path} for {@code alertname} whose label {@code label} is {@code value}. */
    Optional<Note> firing(String path, String alertname, String label, String value) {
        return notes.stream().filter(n -> n.path().equals(path) && n.status().equals("firing")
                && n.label("alertname").equals(alertname) && n.label(label).equals(value)).findFirst();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
