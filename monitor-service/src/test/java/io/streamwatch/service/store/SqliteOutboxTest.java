package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamwatch.service.notify.Alert;
import io.streamwatch.service.notify.AlertCodec;
import io.streamwatch.service.notify.Outbox;
import io.streamwatch.service.notify.Transition;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteOutboxTest {
    @TempDir Path dir;

    private static Alert alert(String app, boolean resolved) {
        return new Alert(
                "StreamingAppDown",
                app,
                "critical",
                Map.of("alertname", "StreamingAppDown", "app", app, "severity", "critical"),
                Map.of("summary", "no heartbeat"),
                Instant.ofEpochMilli(1_000),
                resolved ? Instant.ofEpochMilli(2_000) : null,
                "http://streamwatch.test/app/" + app);
    }

    /** Every entry of the receiver, oldest first, as "TRANSITION app"; empties the outbox. */
    private static List<String> drain(Outbox o, String receiver) {
        List<String> out = new ArrayList<>();
        for (Optional<Outbox.Entry> e; (e = o.oldest(receiver)).isPresent(); ) {
            out.add(e.get().transition() + " " + AlertCodec.read(e.get().payload()).subject());
            o.remove(e.get().id());
        }
        return out;
    }

    @Test
    void aFullOutboxDropsSupersededPagesFirstAndNeverAResolved() {
        try (Store store = Store.open(dir);
                SqliteOutbox o = SqliteOutbox.open(store)) {
            assertEquals(0, o.add("pagerduty-0", alert("a", false), Transition.FIRING, 1, 3));
            assertEquals(0, o.add("pagerduty-0", alert("b", false), Transition.FIRING, 2, 3));
            assertEquals(0, o.add("pagerduty-0", alert("a", true), Transition.RESOLVED, 3, 3));
            // Over the cap: FIRING a is superseded by its RESOLVED, so it goes, not FIRING b.
            assertEquals(1, o.add("pagerduty-0", alert("c", false), Transition.FIRING, 4, 3));
            // Over again: nothing superseded; the oldest FIRING goes, never the RESOLVED.
            assertEquals(1, o.add("pagerduty-0", alert("d", true), Transition.RESOLVED, 5, 3));
            assertEquals(1, o.add("pagerduty-0", alert("e", true), Transition.RESOLVED, 6, 3));
            // Only RESOLVED left: all kept, over the cap.
            assertEquals(0, o.add("pagerduty-0", alert("f", true), Transition.RESOLVED, 7, 3));
            assertEquals(
                    List.of("RESOLVED a", "RESOLVED d", "RESOLVED e", "RESOLVED f"),
                    drain(o, "pagerduty-0"));
        }
    }

    @Test
    void entriesSurviveARestartInOrderAndPerReceiver() {
        try (Store store = Store.open(dir);
                SqliteOutbox o = SqliteOutbox.open(store)) {
            o.add("webhook-0", alert("a", false), Transition.FIRING, 10, 100);
            o.add("webhook-1", alert("a", false), Transition.FIRING, 11, 100);
            o.add("webhook-0", alert("a", true), Transition.RESOLVED, 12, 100);
            assertEquals(new Outbox.Depth(2, 10), o.depth("webhook-0"));
        }
        try (Store store = Store.open(dir);
                SqliteOutbox o = SqliteOutbox.open(store)) {
            assertEquals(List.of("FIRING a", "RESOLVED a"), drain(o, "webhook-0"));
            assertEquals(List.of("FIRING a"), drain(o, "webhook-1"));
            assertEquals(new Outbox.Depth(0, 0), o.depth("webhook-0"));
        }
    }
}
