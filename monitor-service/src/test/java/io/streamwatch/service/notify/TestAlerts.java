package io.streamwatch.service.notify;

import java.time.Instant;
import java.util.Map;

/** Alerts shaped like the alert engine's. */
final class TestAlerts {
    static final Instant STARTS_AT = Instant.parse("2024-05-01T10:00:00.123Z");
    static final Instant ENDS_AT = Instant.parse("2024-05-01T10:07:30Z");

    private TestAlerts() {}

    static Alert firing(String name, String app, String severity) {
        return firing(name, app, severity, STARTS_AT);
    }

    static Alert firing(String name, String app, String severity, Instant startsAt) {
        return new Alert(
                name,
                app,
                severity,
                Map.of("alertname", name, "app", app, "severity", severity),
                Map.of(
                        "summary",
                        name + " on " + app,
                        "description",
                        "Processing time exceeded the batch interval for 3 batches.",
                        "runbook_url",
                        "https://runbooks.example/streamwatch#" + name),
                startsAt,
                null,
                "http://streamwatch.example:8080/apps/" + app);
    }

    static Alert resolved(Alert firing, Instant endsAt) {
        return new Alert(
                firing.name(),
                firing.subject(),
                firing.severity(),
                firing.labels(),
                firing.annotations(),
                firing.startsAt(),
                endsAt,
                firing.generatorUrl());
    }
}
