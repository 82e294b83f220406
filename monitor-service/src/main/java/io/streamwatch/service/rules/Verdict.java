package io.streamwatch.service.rules;

/**
 * What a rule concludes from one look at an app. Rules have separate conditions to fire and to
 * clear; between them ({@link #HOLD}) the alert keeps its state, which is the hysteresis that stops
 * a condition hovering at the threshold from flapping the page.
 */
public enum Verdict {
    /** The condition holds: fire, or stay firing. */
    FIRING,
    /** Part of the evidence is there (e.g. 1 of 3 slow batches): pending unless already firing. */
    PENDING,
    /** The condition has cleared: resolve. */
    CLEAR,
    /** Not enough either way: keep the current state. */
    HOLD
}
