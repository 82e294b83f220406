package io.streamwatch.service.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;

/**
 * PagerDuty Events API v2: {@code trigger} when an alert fires, {@code resolve} when it clears,
 * both with {@link Alert#key()} as {@code dedup_key} so PagerDuty pairs them into one incident. The
 * routing key lives only in request bodies: never in {@link #toString()} or logs.
 */
final class PagerDutyNotifier implements Notifier {
    static final int MAX_SUMMARY = 1024;

    private final HttpUrl url;
    private final String routingKey;
    private final ObjectMapper json;

    PagerDutyNotifier(String url, String routingKey, ObjectMapper json) {
        if (routingKey == null || routingKey.isBlank()) {
            throw new IllegalArgumentException(
                    "a pagerduty receiver needs a routingKey (the integration key of the PagerDuty service)");
        }
        this.url = HttpUrl.get(url);
        this.routingKey = routingKey;
        this.json = json;
    }

    /**
     * Our severity as one of the four PagerDuty knows; anything unknown is {@code error},
     * Alertmanager's default.
     */
    static String severity(String ours) {
        return switch (ours == null ? "" : ours.toLowerCase(Locale.ROOT)) {
            case "critical" -> "critical";
            case "warning" -> "warning";
            case "info" -> "info";
            default -> "error";
        };
    }

    @Override
    public OutboundRequest toRequest(Alert alert, Transition transition, Instant now) {
        ObjectNode body = json.createObjectNode();
        body.put("routing_key", routingKey);
        body.put("event_action", transition == Transition.RESOLVED ? "resolve" : "trigger");
        body.put("dedup_key", alert.key());
        if (transition == Transition.RESOLVED) {
            return new OutboundRequest(url, body.toString());
        }
        String summary =
                alert.annotations()
                        .getOrDefault("summary", alert.name() + " on " + alert.subject());
        if (summary.length() > MAX_SUMMARY) summary = summary.substring(0, MAX_SUMMARY);

        Map<String, String> details = new TreeMap<>(alert.annotations());
        details.putAll(alert.labels());

        ObjectNode payload = body.putObject("payload");
        payload.put("summary", summary);
        payload.put("source", alert.subject());
        payload.put("severity", severity(alert.severity()));
        payload.put("timestamp", Timestamps.iso(alert.startsAt()));
        payload.put("component", alert.labels().getOrDefault("query", alert.subject()));
        payload.put("class", alert.name());
        payload.set("custom_details", json.valueToTree(details));

        ArrayNode links = body.putArray("links");
        String runbook = alert.annotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank())
            links.addObject().put("href", runbook).put("text", "Runbook");
        if (alert.generatorUrl() != null && !alert.generatorUrl().isBlank()) {
            links.addObject().put("href", alert.generatorUrl()).put("text", "Streamwatch");
        }
        body.put("client", "Streamwatch");
        return new OutboundRequest(url, body.toString());
    }

    /**
     * Replaces the routing key wherever it stands, and a start of it that ends the text (a body cut
     * off inside the key must not leak the part before the cut).
     */
    @Override
    public String redact(String text) {
        if (text == null) return null;
        String out = text.replace(routingKey, "<routing key>");
        for (int n = Math.min(routingKey.length() - 1, out.length()); n > 0; n--) {
            if (out.endsWith(routingKey.substring(0, n))) {
                return out.substring(0, out.length() - n) + "<routing key>";
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "PagerDutyNotifier[" + url.host() + ":" + url.port() + "]";
    }
}
