package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.notify.Transition;
import java.time.Duration;
import java.time.Instant;

/**
 * The life of one alert of one subject, as a pure function: inactive → pending → firing → resolved
 * (back to inactive). Given the current {@link AlertState}, what a rule concluded and the time, it
 * returns the next state, whether that state must be stored, and what receivers must be told. No
 * clock, no I/O, no logging: the {@link AlertEngine} does those with the {@link Step}.
 *
 * <p>A {@link Verdict#HOLD} keeps the state as it is; that, and rules having separate conditions to
 * fire and to clear, is the hysteresis. A pending alert that clears was never announced, so it is
 * dropped silently; a firing one is announced resolved.
 */
final class AlertMachine {
    private final long resendMs;

    /**
     * @param resendInterval how often receivers are told again that an alert still fires
     */
    AlertMachine(Duration resendInterval) {
        this.resendMs = resendInterval.toMillis();
    }

    /**
     * What receivers must be told: {@code alert} as it stood, with {@code endsAt} set once
     * resolved.
     */
    record Notice(Transition transition, AlertState alert, Instant endsAt) {}

    /**
     * @param state what the alert is now
     * @param store true when the stored copy must change (deleted when {@code state} is inactive)
     * @param notice null when receivers are not told anything
     */
    record Step(AlertState state, boolean store, Notice notice) {
        static Step keep(AlertState state) {
            return new Step(state, false, null);
        }
    }

    /** One look by a rule of {@code severity} at the subject, at {@code now}. */
    Step next(AlertState current, Severity severity, Check check, Instant now) {
        AlertState s = current.withSeverity(severity);
        return switch (check.verdict()) {
            case FIRING -> {
                if (s.is(AlertStatus.FIRING)) yield Step.keep(s.describedBy(check));
                AlertState firing = s.firing(now, check);
                yield new Step(firing, true, new Notice(Transition.FIRING, firing, null));
            }
            case PENDING ->
                    switch (s.status()) {
                        case INACTIVE -> new Step(s.pending(now, check), true, null);
                        case PENDING -> Step.keep(s.describedBy(check));
                        default -> Step.keep(s);
                    };
            case CLEAR -> s.is(AlertStatus.INACTIVE) ? Step.keep(s) : resolve(s, now);
            case HOLD -> Step.keep(s);
        };
    }

    /**
     * A firing alert whose last notice is {@code resendInterval} old is told again; nothing else
     * changes.
     */
    Step repeat(AlertState current, Instant now) {
        long nowMs = now.toEpochMilli();
        if (!current.is(AlertStatus.FIRING) || nowMs - current.lastSentMs() < resendMs)
            return Step.keep(current);
        AlertState sent = current.sentAt(nowMs);
        return new Step(sent, true, new Notice(Transition.REPEAT, sent, null));
    }

    /**
     * The subject is gone (app forgotten, group no longer polled): a firing alert resolves, any
     * other state just ends.
     */
    Step forget(AlertState current, Instant now) {
        return current.is(AlertStatus.INACTIVE) ? Step.keep(current) : resolve(current, now);
    }

    private static Step resolve(AlertState s, Instant now) {
        Notice resolved = s.is(AlertStatus.FIRING) ? new Notice(Transition.RESOLVED, s, now) : null;
        return new Step(AlertState.inactive(s.severity()), true, resolved);
    }
}
