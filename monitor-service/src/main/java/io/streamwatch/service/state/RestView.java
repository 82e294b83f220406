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
    private String refused;

    /**
     * Its slice of {@link AppSnapshot}.
     *
     * @param up null while the app was never polled (or its UI is refused)
     * @param refused why the UI the app reports is not polled (spark.allowedUiNetworks), or null
     */
    public record View(
            Boolean up,
            Integer queuedBatches,
            List<AppSnapshot.ReceiverView> receivers,
            String refused) {}

    View view() {
        return new View(up, queuedBatches, receivers, refused);
    }

    void observed(RestObservation o, boolean hasListener) {
        up = true;
        refused = null;
        if (!hasListener) {
            queuedBatches = o.queuedBatches();
            receivers = o.receivers() == null ? null : List.copyOf(o.receivers());
        }
    }

    void failed() {
        up = false;
        refused = null;
    }

    /** The UI is not polled, for the reason given: whether it answers is unknown. */
    void refused(String why) {
        up = null;
        refused = why;
        queuedBatches = null;
        receivers = null;
    }

    Boolean up() {
        return up;
    }
}
