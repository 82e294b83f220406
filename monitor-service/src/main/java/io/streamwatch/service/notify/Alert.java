package io.streamwatch.service.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * One alert instance as receivers see it, identified by {@code alertname} and {@code app} (or
 * {@code group}), and {@code query} for a Structured Streaming query's alert. Labels always hold
 * {@code alertname}, {@code app} or {@code group}, and {@code severity} (and {@code query} for a
 * query); annotations hold {@code summary}, {@code description}, {@code runbook_url}.
 *
 * @param endsAt null while firing; the resolve time once resolved
 */
public record Alert(
        String name,
        String subject,
        String severity,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant startsAt,
        Instant endsAt,
        String generatorUrl) {
    public Alert {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    public boolean firing() {
        return endsAt == null;
    }

    /**
     * Stable per alert instance: PagerDuty's dedup_key, the webhook's groupKey. {@code
     * streamwatch/<alertname>/<app or group>}, and for a query's alert {@code ?query=} and its
     * query key URL-encoded: it depends only on (alertname, app, query), so a restarted query (new
     * run id) keeps its alert.
     */
    public String key() {
        String query = labels.get("query");
        return "streamwatch/"
                + name
                + "/"
                + subject
                + (query == null
                        ? ""
                        : "?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    }
}
