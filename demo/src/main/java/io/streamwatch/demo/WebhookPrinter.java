package io.streamwatch.demo;

import io.streamwatch.testkit.WebhookReceiver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's webhook (the test kit's loopback receiver): the service sends it every notification
 * (the Alertmanager webhook body) and it prints each alert in it the moment it arrives, as {@code
 * FIRING ...} or {@code RESOLVED ...}, with its subject: {@code app=...}, plus {@code query=...}
 * for a query's alert.
 */
final class WebhookPrinter implements AutoCloseable {
    /** One alert transition as it arrived. */
    record Transition(
            long atSeconds, String status, String alertname, String subject, String summary) {}

    private final WebhookReceiver server;
    private final Console console;
    private final List<Transition> transitions = new ArrayList<>();
    private final Map<String, Long> firingSince = new HashMap<>();

    WebhookPrinter(Console console) throws IOException {
        this.console = console;
        server = WebhookReceiver.notifying(this::received);
    }

    String url() {
        return server.url();
    }

    private void received(WebhookReceiver.Alert alert) {
        String status = alert.status().toUpperCase(java.util.Locale.ROOT);
        String alertname = alert.alertname();
        String subject =
                alert.labels().containsKey("app")
                        ? "app="
                                + alert.app()
                                + (alert.labels().containsKey("query")
                                        ? " query=" + alert.label("query")
                                        : "")
                        : "group=" + alert.label("group");
        String summary = alert.summary();
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
        server.close();
    }
}
