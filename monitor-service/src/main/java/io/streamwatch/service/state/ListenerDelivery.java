package io.streamwatch.service.state;

import io.streamwatch.service.model.Event;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.model.Source;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the app's listener delivers: per listener instance the highest sequence number applied and
 * the last drop count it reported, so that re-sent events are recognised as duplicates and gaps as
 * lost events. Guarded by its {@link AppState}.
 */
public final class ListenerDelivery {
    private static final int MAX_TRACKED_INSTANCES = 16;

    /**
     * How far above an instance's mark a request may reach: this many events, plus one per
     * millisecond since the mark last moved (a listener producing up to 1000 events a second while
     * it could not deliver). Documented in PROTOCOL.md.
     */
    static final long SEQ_WINDOW = 1_000_000;

    private final Map<String, long[]> marks = RunIdentity.lruMap(MAX_TRACKED_INSTANCES);
    private boolean reporting;
    private String instance;
    private String listenerVersion;
    private long eventsDropped;
    private long eventsLost;
    private long duplicateEvents;
    private long queued;

    /**
     * Its slice of {@link AppSnapshot}: what the listener reported, gaps seen here, re-sent
     * duplicates.
     */
    public record View(
            String instance,
            String listenerVersion,
            long eventsDropped,
            long eventsLost,
            long duplicateEvents,
            long queued) {}

    /**
     * What survives a restart (not {@code queued}: the listener reports it with every request).
     *
     * @param marks per listener instance: highest applied seq, last reported drop count, when
     *     (epoch ms) the seq last advanced
     */
    public record Persisted(
            boolean reporting,
            String instance,
            String listenerVersion,
            Map<String, long[]> marks,
            long eventsDropped,
            long eventsLost,
            long duplicateEvents) {}

    ListenerDelivery() {}

    ListenerDelivery(Persisted p) {
        if (p == null) return;
        reporting = p.reporting();
        instance = p.instance();
        listenerVersion = p.listenerVersion();
        // Marks stored before they carried a time (2 slots) count as moved long ago.
        if (p.marks() != null) p.marks().forEach((k, v) -> marks.put(k, Arrays.copyOf(v, 3)));
        eventsDropped = p.eventsDropped();
        eventsLost = p.eventsLost();
        duplicateEvents = p.duplicateEvents();
    }

    Persisted persisted() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        marks.forEach((k, v) -> copy.put(k, v.clone()));
        return new Persisted(
                reporting,
                instance,
                listenerVersion,
                copy,
                eventsDropped,
                eventsLost,
                duplicateEvents);
    }

    View view() {
        return new View(
                instance, listenerVersion, eventsDropped, eventsLost, duplicateEvents, queued);
    }

    /**
     * Events of one request to apply: the new ones, in order; duplicates are counted and left out.
     */
    record Delivery(List<Event> fresh, int duplicates) {}

    /**
     * Refuses, before anything is applied, a request whose {@code seq} jumps further above its
     * instance's mark than {@link #SEQ_WINDOW} allows. The first request of an instance sets its
     * mark wherever it starts (a service that lost its store must take running listeners back).
     *
     * @throws SequenceJumpException naming the event and the limit
     */
    void check(IngestBatch batch, long now) {
        long[] mark = marks.get(key(batch.source()));
        long from = mark == null ? -1 : mark[0];
        long allowed = SEQ_WINDOW + (mark == null ? 0 : Math.max(0, now - mark[2]));
        List<Event> events = batch.events();
        for (int i = 0; i < events.size(); i++) {
            long seq = events.get(i).seq();
            if (seq == 0) continue;
            if (from < 0) from = seq;
            if (seq - from > allowed) {
                throw new SequenceJumpException(
                        "events["
                                + i
                                + "].seq: "
                                + seq
                                + " jumps "
                                + (seq - from)
                                + " above the highest seq seen for this listener instance ("
                                + from
                                + "); at most "
                                + allowed
                                + " is accepted ("
                                + SEQ_WINDOW
                                + " plus one per ms since it last advanced); nothing was applied");
            }
        }
    }

    private static String key(Source src) {
        return src.appId() + "\u0000" + src.instance();
    }

    /** Accounts for one request: drops it reports, its duplicates, gaps before it. */
    Delivery receive(IngestBatch batch, long now) {
        reporting = true;
        Source src = batch.source();
        long[] mark = marks.computeIfAbsent(key(src), k -> new long[] {0, 0, now});
        if (batch.dropped() > mark[1]) {
            eventsDropped = Saturating.add(eventsDropped, batch.dropped() - mark[1]);
            mark[1] = batch.dropped();
        }
        List<Event> fresh = new ArrayList<>(batch.events().size());
        int duplicates = 0;
        for (Event e : batch.events()) {
            if (e.seq() != 0) {
                if (e.seq() <= mark[0]) {
                    duplicates++;
                    continue;
                }
                if (e.seq() > mark[0] + 1)
                    eventsLost = Saturating.add(eventsLost, e.seq() - mark[0] - 1);
                mark[0] = e.seq();
                mark[2] = now;
            }
            fresh.add(e);
        }
        duplicateEvents = Saturating.add(duplicateEvents, duplicates);
        return new Delivery(fresh, duplicates);
    }

    /**
     * The request came from the current run: its instance and queue length are the current ones.
     */
    void current(IngestBatch batch) {
        Source src = batch.source();
        instance = src.instance();
        if (src.listenerVersion() != null) listenerVersion = src.listenerVersion();
        queued = batch.queued();
    }

    /**
     * Whether a listener has ever reported for this app (else it is known only from REST polls).
     */
    boolean reporting() {
        return reporting;
    }
}
