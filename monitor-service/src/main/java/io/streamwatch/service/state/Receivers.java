package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The current run's receivers by stream id, and the receiver errors of every run. Guarded by its
 * {@link AppState}.
 */
public final class Receivers {
    /** The most receivers (stream ids) one app may have. */
    static final int MAX_RECEIVERS = 1000;

    private final Map<Integer, Receiver> byStream = new TreeMap<>();
    private long errors;
    private long lastErrorAt;
    private String lastError;

    private static final class Receiver {
        final int streamId;
        String name;
        boolean active;
        String location;
        String executorId;
        long errors;
        String lastErrorMessage;
        Long lastErrorTime;

        Receiver(int streamId) {
            this.streamId = streamId;
        }

        AppSnapshot.ReceiverView view() {
            return new AppSnapshot.ReceiverView(
                    streamId,
                    name,
                    active,
                    location,
                    executorId,
                    errors,
                    lastErrorMessage,
                    lastErrorTime);
        }
    }

    /**
     * Its slice of {@link AppSnapshot}.
     *
     * @param lastErrorAt service time when a receiver error last arrived, 0 if never
     * @param lastError that error, described for an alert
     */
    public record View(
            List<AppSnapshot.ReceiverView> receivers,
            long errors,
            long lastErrorAt,
            String lastError) {}

    /** What survives a restart. */
    public record Persisted(
            List<AppSnapshot.ReceiverView> receivers,
            long errors,
            long lastErrorAt,
            String lastError) {}

    Receivers() {}

    Receivers(Persisted p) {
        if (p == null) return;
        errors = p.errors();
        lastErrorAt = p.lastErrorAt();
        lastError = p.lastError();
        if (p.receivers() == null) return;
        for (AppSnapshot.ReceiverView v : p.receivers()) {
            Receiver r = new Receiver(v.streamId());
            r.name = v.name();
            r.active = v.active();
            r.location = v.location();
            r.executorId = v.executorId();
            r.errors = v.errors();
            r.lastErrorMessage = v.lastErrorMessage();
            r.lastErrorTime = v.lastErrorTime();
            byStream.put(r.streamId, r);
        }
    }

    Persisted persisted() {
        return new Persisted(views(), errors, lastErrorAt, lastError);
    }

    View view() {
        return new View(views(), errors, lastErrorAt, lastError);
    }

    private List<AppSnapshot.ReceiverView> views() {
        List<AppSnapshot.ReceiverView> out = new ArrayList<>(byStream.size());
        for (Receiver r : byStream.values()) out.add(r.view());
        return out;
    }

    void apply(Event.ReceiverEvent e, long now) {
        Event.Receiver info = e.receiver();
        Receiver r = byStream.computeIfAbsent(info.streamId(), Receiver::new);
        r.name = info.name();
        r.location = info.location();
        r.executorId = info.executorId();
        switch (e.phase()) {
            case STARTED -> r.active = true;
            case STOPPED -> r.active = false;
            case ERROR -> {
                r.active = info.active();
                r.errors++;
                errors++;
                r.lastErrorMessage = info.lastErrorMessage();
                r.lastErrorTime = e.time();
                lastErrorAt = now;
                lastError =
                        "receiver "
                                + r.streamId
                                + (r.name == null ? "" : " (" + r.name + ")")
                                + ": "
                                + (info.lastErrorMessage() == null
                                        ? "error"
                                        : info.lastErrorMessage());
            }
        }
    }

    /**
     * Refuses a request whose receiver events would give the app more than {@value #MAX_RECEIVERS}
     * receivers. @param newRun the request starts a new run: the current receivers go
     */
    void admit(String app, List<Event> events, boolean newRun) {
        Set<Integer> added = new HashSet<>();
        int held = newRun ? 0 : byStream.size();
        for (int i = 0; i < events.size(); i++) {
            if (!(events.get(i) instanceof Event.ReceiverEvent r)) continue;
            int id = r.receiver().streamId();
            if ((!newRun && byStream.containsKey(id)) || !added.add(id)) continue;
            if (held + added.size() > MAX_RECEIVERS) {
                throw AppLimitException.perApp(
                        "events["
                                + i
                                + "].receiver.streamId: app '"
                                + app
                                + "' already has "
                                + MAX_RECEIVERS
                                + " receivers (the most an app may have); receiver "
                                + id
                                + " is one too many, nothing of this request was applied");
            }
        }
    }

    /** The app ended: none of its receivers runs any more. */
    void stopAll() {
        byStream.values().forEach(r -> r.active = false);
    }

    /** A new run starts without receivers; the error count and the last error stay. */
    void clear() {
        byStream.clear();
    }

    long lastErrorAt() {
        return lastErrorAt;
    }

    String lastError() {
        return lastError;
    }
}
