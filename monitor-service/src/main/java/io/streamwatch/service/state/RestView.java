package io.streamwatch.service.state;

import java.util.List;

/**
 * What the driver's REST API showed at its last poll. Whether it answered counts for every app; the
 * queue length and receivers stand in for the listener's only for apps without one. Whether it
 * answered survives a restart (so an app whose driver answered is not taken for down at start); the
 * rest the next poll sees again. Guarded by its {@link AppState}.
 */
public final class RestView {
    private Boolean up;

    /**
     * What survives a restart.
     *
     * @param up null while the app was never polled
     */
    public record Persisted(Boolean up) {}

    RestView() {}

    RestView(Persisted p) {
        if (p != null) up = p.up();
    }

    Persisted persisted() {
        return new Persisted(up);
    }

    private Integer queuedBatches;
    private List<AppSnapshot.ReceiverView> receivers;

    /**
     * Its slice of {@link AppSnapshot}.
     *
     * @param up null while the app was never polled
     */
    public record View(
            Boolean up, Integer queuedBatches, List<AppSnapshot.ReceiverView> receivers) {}

    View view() {
        return new View(up, queuedBatches, receivers);
    }

    void observed(RestObservation o, boolean hasListener) {
        up = true;
        if (!hasListener) {
            queuedBatches = o.queuedBatches();
            receivers = o.receivers() == null ? null : List.copyOf(o.receivers());
        }
    }

    void failed() {
        up = false;
    }

    Boolean up() {
        return up;
    }
}
