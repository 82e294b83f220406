package io.streamwatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A loopback webhook that records every Alertmanager-format notification it receives. */
final class WebhookReceiver implements AutoCloseable {
    /** One alert of one notification: status, alertname, app, summary. */
    record Note(String status, String alertname, String app, String summary, JsonNode body) {
        @Override
        public String toString() {
            return status + " " + alertname + " " + app + " (" + summary + ")";
        }
    }

    final List<Note> notes = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                JsonNode json = ServiceProcess.JSON.readTree(body);
                for (JsonNode a : json.path("alerts")) {
                    notes.add(new Note(a.path("status").asText(), a.path("labels").path("alertname").asText(),
                            a.path("labels").path("app").asText(), a.path("annotations").path("summary").asText(), json));
                }
                exchange.sendResponseHeaders(200, -1);
            } catch (IOException e) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Note> forApp(String app) {
        return notes.stream().filter(n -> n.app().equals(app)).collect(Collectors.toList());
    }

    boolean has(String app, String alertname, String status) {
        return notes.stream().anyMatch(n -> n.app().equals(app) && n.alertname().equals(alertname) && n.status().equals(status));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
