package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.LagWindow;

/**
 * One alert condition: a pure function of one subject's recent history ({@code W}: an app's {@link
 * io.streamwatch.service.state.AppWindow}, or the {@link LagWindow} of an app or consumer group).
 * Each rule declares how much history it reads and whether time alone can change its verdict; the
 * {@link AlertEngine} evaluates every rule the same way from that.
 */
public interface Rule<W> {
    /** The {@code alertname}. */
    String name();

    Severity severity();

    /** How many of the newest batches (or lag samples) the rule reads. */
    int window();

    /**
     * True when the verdict can change while nothing new arrives, because the rule compares times
     * with now (silence, stalls, expiry): such rules are also looked at every second. The others
     * are looked at only when their subject's state has changed.
     */
    boolean clockDriven();

    /**
     * True when the rule concludes from silence (nothing arrived for a while). Such a rule does not
     * fire during the engine's start-up grace ({@code alerting.startupGrace}): right after a
     * restart, silence is the service's own downtime, not evidence about the app.
     */
    default boolean judgesSilence() {
        return false;
    }

    Check check(W window);
}
