package io.streamwatch.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A loopback webhook receiver: the service sends it every notification (the Alertmanager webhook
 * body) and it prints each alert in it the moment it arrives, as {@code FIRING ...} or {@code RESOLVED ...}.
 */
final class WebhookPrinter implements AutoCloseable {
    /** One alert transition as it arrived. */
    record Transition(long atSeconds, String status, String alertname, String subject, String summary) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Console console;
    private final List<Transition> transitions = new ArrayList<>();
    private final Map<String, Long> firingSince = new HashMap<>();

    WebhookPrinter(Console console) throws IOException {
        this.console = console;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                JsonNode body;
                try {
                    body = JSON.readTree(exchange.getRequestBody());
                } catch (IOException e) {
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                for (JsonNode a : body.path("alerts")) received(a);
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private void received(JsonNode alert) {
        String status = alert.path("status").asText().toUpperCase(java.util.Locale.ROOT);
        JsonNode labels = alert.path("labels");
        String alertname = labels.path("alertname").asText();
        String subject = labels.has("app") ? "app=" + labels.path("app").asText() : "group=" + labels.path("group").asText();
        String summary = alert.path("annotations").path("summary").asText();
        long now = console.elapsedSeconds();
        String key = alertname + " " + subject;
        String detail;
        synchronized (this) {
            transitions.add(new Transition(now, status, alertname, subject, summary));
            if (status.equals("FIRING")) {
                firingSince.put(key, now);
                detail = summary;
            } else {
                Long since = firingSince.remove(key);
                detail = since == null ? "" : "after " + (now - since) + " s firing";
            }
        }
        console.event(String.format("%-8s %-22s %s  %s", status, alertname, subject, detail));
    }

    synchronized List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    /** Alerts that fired and have not resolved yet. */
    synchronized int firing() {
        return firingSince.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
