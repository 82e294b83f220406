package io.streamwatch.service.state;

import java.util.List;

/**
 * What the driver's REST API showed at its last poll. Whether it answered counts for every app; the
 * queue length and receivers stand in for the listener's only for apps without one. Not persisted:
 * the next poll sees it again. Guarded by its {@link AppState}.
 */
public final class RestView {
    private Boolean up;
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
