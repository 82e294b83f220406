package io.streamwatch.service.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;

/**
 * A generic webhook: POST to the configured URL exactly, with the body Alertmanager's own webhook
 * receiver sends (version 4, one alert per notification), so anything that consumes Alertmanager
 * webhooks consumes ours.
 */
final class WebhookNotifier implements Notifier {
    private final HttpUrl url;
    private final String externalUrl;
    private final ObjectMapper json;

    WebhookNotifier(String url, String externalUrl, ObjectMapper json) {
        this.url = HttpUrl.get(url);
        this.externalUrl = externalUrl;
        this.json = json;
    }

    @Override
    public OutboundRequest toRequest(Alert alert, Transition transition, Instant now) {
        boolean resolved = transition == Transition.RESOLVED;
        String status = resolved ? "resolved" : "firing";
        Map<String, String> labels = new TreeMap<>(alert.labels());
        Map<String, String> annotations = new TreeMap<>(alert.annotations());

        Map<String, String> groupLabels = new LinkedHashMap<>();
        groupLabels.put("alertname", labels.getOrDefault("alertname", alert.name()));
        if (labels.containsKey("app")) groupLabels.put("app", labels.get("app"));
        else if (labels.containsKey("group")) groupLabels.put("group", labels.get("group"));
        if (labels.containsKey("query")) groupLabels.put("query", labels.get("query"));

        ObjectNode a = json.createObjectNode();
        a.put("status", status);
        a.set("labels", json.valueToTree(labels));
        a.set("annotations", json.valueToTree(annotations));
        a.put("startsAt", Timestamps.iso(alert.startsAt()));
        a.put(
                "endsAt",
                resolved
                        ? Timestamps.iso(alert.endsAt() != null ? alert.endsAt() : now)
                        : Timestamps.ZERO_TIME);
        a.put("generatorURL", alert.generatorUrl() == null ? "" : alert.generatorUrl());
        a.put("fingerprint", Fingerprint.of(labels));

        ObjectNode body = json.createObjectNode();
        body.put("version", "4");
        body.put("groupKey", alert.key());
        body.put("truncatedAlerts", 0);
        body.put("status", status);
        body.put("receiver", "streamwatch");
        body.set("groupLabels", json.valueToTree(groupLabels));
        body.set("commonLabels", json.valueToTree(labels));
        body.set("commonAnnotations", json.valueToTree(annotations));
        body.put("externalURL", externalUrl);
        body.putArray("alerts").add(a);
        return new OutboundRequest(url, body.toString());
    }

    @Override
    public String toString() {
        return "WebhookNotifier[" + url.host() + ":" + url.port() + "]";
    }
}
