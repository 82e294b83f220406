package io.streamwatch.service.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;
import okhttp3.HttpUrl;

/**
 * Alertmanager API v2: {@code POST {url}/api/v2/alerts} with a one-alert array. While the alert
 * fires, {@code endsAt} is now + 4 × the resend interval, as Prometheus does, so Alertmanager does
 * not expire it between re-sends; on resolve it is the resolve time.
 */
final class AlertmanagerNotifier implements Notifier {
    private final HttpUrl endpoint;
    private final Duration firingValidity;
    private final ObjectMapper json;

    AlertmanagerNotifier(String baseUrl, Duration resendInterval, ObjectMapper json) {
        String base = baseUrl;
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        this.endpoint = HttpUrl.get(base + "/api/v2/alerts");
        this.firingValidity = resendInterval.multipliedBy(4);
        this.json = json;
    }

    @Override
    public boolean accepts(Transition transition) {
        return true;
    }

    @Override
    public OutboundRequest toRequest(Alert alert, Transition transition, Instant now) {
        Instant endsAt =
                transition == Transition.RESOLVED
                        ? (alert.endsAt() != null ? alert.endsAt() : now)
                        : now.plus(firingValidity);
        ObjectNode a = json.createObjectNode();
        a.set("labels", json.valueToTree(new TreeMap<>(alert.labels())));
        a.set("annotations", json.valueToTree(new TreeMap<>(alert.annotations())));
        a.put("startsAt", Timestamps.iso(alert.startsAt()));
        a.put("endsAt", Timestamps.iso(endsAt));
        if (alert.generatorUrl() != null && !alert.generatorUrl().isBlank()) {
            a.put("generatorURL", alert.generatorUrl());
        }
        ArrayNode body = json.createArrayNode().add(a);
        return new OutboundRequest(endpoint, body.toString());
    }

    @Override
    public String toString() {
        return "AlertmanagerNotifier[" + endpoint.host() + ":" + endpoint.port() + "]";
    }
}
