package io.streamwatch.service.state;

/**
 * Told which app changed, after the change and outside the app's lock: after an applied ingest
 * request that carried new events, a REST backfill that added batches, and every REST poll result.
 * Reads what it needs from the {@link AppRegistry}. Must return quickly; what it throws is logged.
 */
@FunctionalInterface
public interface StateListener {
    void changed(String app);
}
