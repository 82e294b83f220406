package io.streamwatch.service.rules;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens because time passes, once a second: the clock-driven rules (silence, stall, receiver
 * error expiry) are asked about every subject, firing alerts that are due are re-sent, and subjects
 * that are gone are forgotten. Rules that read batches or samples are not asked again unless their
 * subject's evidence changed without {@link AlertEngine#evaluate} being called for it (Kafka lag
 * samples, which nobody announces; batches backfilled from a driver's REST API): with thousands of
 * apps, the timer's cost stays that of the cheap clock-driven rules.
 */
final class AlertScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);

    private final List<RuleSet<?>> ruleSets;
    private final AlertBook book;
    private final Clock clock;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "streamwatch-rules");
                        t.setDaemon(true);
                        return t;
                    });

    AlertScheduler(List<RuleSet<?>> ruleSets, AlertBook book, Clock clock) {
        this.ruleSets = ruleSets;
        this.book = book;
        this.clock = clock;
    }

    void start() {
        timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void tick() {
        try {
            Set<Subject> present = new HashSet<>();
            long now = clock.millis();
            for (RuleSet<?> set : ruleSets) set.tick(book, present, now);
            book.forgetAllBut(present, clock.instant());
            book.repeatDue(clock.instant());
        } catch (RuntimeException e) {
            log.error("alert evaluation failed; will retry in a second", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
