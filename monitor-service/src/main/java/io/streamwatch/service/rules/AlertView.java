package io.streamwatch.service.rules;

import java.time.Instant;

/** An alert as {@code GET /api/v1/alerts} shows it. {@code state}: pending, firing or resolved. */
public record AlertView(String alertname, String app, String severity, String state, Instant startsAt, Instant endsAt,
                        String summary, String description, String runbookUrl) {}
