package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One alert of one subject: an immutable value the {@link AlertMachine} replaces at each step.
 *
 * @param since when it became pending (null if it never was)
 * @param startsAt when it started firing; null unless firing
 * @param lastSentMs when receivers were last told it fires
 * @param summary the rule's latest words about it; null when inactive
 */
public record AlertState(
        AlertStatus status,
        Severity severity,
        Instant since,
        Instant startsAt,
        long lastSentMs,
        String summary,
        String description) {
    private static final Map<Severity, AlertState> INACTIVE = new EnumMap<>(Severity.class);

    static {
        for (Severity s : Severity.values())
            INACTIVE.put(s, new AlertState(AlertStatus.INACTIVE, s, null, null, 0, null, null));
    }

    static AlertState inactive(Severity severity) {
        return INACTIVE.get(severity);
    }

    boolean is(AlertStatus s) {
        return status == s;
    }

    AlertState pending(Instant now, Check check) {
        return new AlertState(
                AlertStatus.PENDING,
                severity,
                now,
                null,
                lastSentMs,
                check.summary(),
                check.description());
    }

    AlertState firing(Instant now, Check check) {
        return new AlertState(
                AlertStatus.FIRING,
                severity,
                since,
                now,
                now.toEpochMilli(),
                check.summary(),
                check.description());
    }

    /**
     * The same status with the rule's current words (numbers in a summary move while an alert
     * holds).
     */
    AlertState describedBy(Check check) {
        return new AlertState(
                status,
                severity,
                since,
                startsAt,
                lastSentMs,
                check.summary(),
                check.description());
    }

    AlertState sentAt(long nowMs) {
        return new AlertState(status, severity, since, startsAt, nowMs, summary, description);
    }

    AlertState withSeverity(Severity s) {
        return s == severity
                ? this
                : new AlertState(status, s, since, startsAt, lastSentMs, summary, description);
    }
}
