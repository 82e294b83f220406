package io.streamwatch.service.notify;

import java.time.Instant;
import java.util.Map;

/**
 * One alert instance as receivers see it, identified by {@code alertname} and {@code app} (or
 * {@code group}). Labels always hold {@code alertname}, {@code app} or {@code group}, and {@code
 * severity}; annotations hold {@code summary}, {@code description}, {@code runbook_url}.
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

    /** Stable per alert instance: PagerDuty's dedup_key, the webhook's groupKey. */
    public String key() {
        return "streamwatch/" + name + "/" + subject;
    }
}
