package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import java.time.Instant;

/**
 * An alert as {@code GET /api/v1/alerts} shows it. {@code state}: pending, firing or resolved.
 * {@code label} says what {@code subject} is: {@code app} or {@code group} (a Kafka consumer
 * group). {@code query} is the query key of a Structured Streaming query's alert (its app in {@code
 * subject}), null for every other alert. {@code startsAt} is when a pending alert became pending,
 * and when any other started firing.
 */
public record AlertView(
        String alertname,
        String label,
        String subject,
        Severity severity,
        AlertStatus state,
        Instant startsAt,
        Instant endsAt,
        String summary,
        String description,
        String runbookUrl,
        String query) {
    /** The app key, or null for a consumer-group alert. */
    public String app() {
        return label.equals("app") ? subject : null;
    }

    /** {@code s} shown as {@code state} (its own status, or resolved at {@code endsAt}). */
    static AlertView of(
            Subject subject,
            String alertname,
            AlertState s,
            AlertStatus state,
            Instant endsAt,
            String runbookUrl) {
        return new AlertView(
                alertname,
                subject.label(),
                subject.name(),
                s.severity(),
                state,
                state == AlertStatus.PENDING ? s.since() : s.startsAt(),
                endsAt,
                s.summary(),
                s.description(),
                runbookUrl,
                subject.query());
    }
}
