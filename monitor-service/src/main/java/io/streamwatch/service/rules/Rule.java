package io.streamwatch.service.rules;

import io.streamwatch.service.state.AppWindow;

/** One alert condition: a pure function of an app's recent batches and the clock. */
public interface Rule {
    /** The {@code alertname}. */
    String name();

    /** {@code critical} or {@code warning}. */
    String severity();

    Check check(AppWindow app);
}
