package io.streamwatch.service.rules;

import java.time.Instant;

/**
 * An alert as {@code GET /api/v1/alerts} shows it. {@code state}: pending, firing or resolved.
 * {@code label} says what {@code subject} is: {@code app} or {@code group} (a Kafka consumer group).
 */
public record AlertView(String alertname, String label, String subject, String severity, String state, Instant startsAt,
                        Instant endsAt, String summary, String description, String runbookUrl) {
    /** The app key, or null for a consumer-group alert. */
    public String app() {
        return label.equals("app") ? subject : null;
    }
}
