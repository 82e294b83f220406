package io.streamwatch.service.state;

import java.util.List;

/**
 * Where the recent Kafka lag samples of consumer groups and apps are kept across restarts, so that
 * the lag rules see the same window after a restart as before it (without it, a group's alert would
 * resolve at start for want of samples and page again once the window refilled). Implemented by the
 * store.
 */
public interface LagArchive extends AutoCloseable {
    /** Replaces what is kept with {@code windows}. */
    void save(List<LagWindow> windows);

    /** What was kept, oldest sample first in each window. */
    List<LagWindow> load();

    @Override
    default void close() {}
}
