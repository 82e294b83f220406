package io.streamwatch.service.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.metrics.Meters;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.notify.HttpSender.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A receiver whose notifications wait in the durable {@link Outbox} (webhook, PagerDuty): each is
 * stored before {@link #offer} returns and removed only once the receiver took it (2xx) or rejected
 * it for good (any answer but 429, 502, 503, 504). What a later attempt can fix is retried with the
 * {@link RetryPolicy}'s backoff, capped at its {@code maxDelay}, for as long as it takes: past
 * {@code maxAttempts} one warning says so, and the entry stays first in line. Entries are sent in
 * the order they were added, across restarts. The outbox's size and oldest age are the gauges
 * {@code streamwatch_notify_outbox_entries} and {@code
 * streamwatch_notify_outbox_oldest_age_seconds}.
 */
final class OutboxChannel implements Channel {
    private static final Logger log = LoggerFactory.getLogger(OutboxChannel.class);
    private static final long IDLE_POLL_MILLIS = 200;

    private final String name;
    private final Notifier notifier;
    private final HttpSender http;
    private final RetryPolicy retry;
    private final ReceiverChannel.Sleeper sleeper;
    private final Clock clock;
    private final Outbox outbox;
    private final int cap;
    private final Semaphore wake = new Semaphore(0);
    private final Thread worker;
    private final Counter sent;
    private final Counter failed;
    private final Counter rejected;
    private final Counter dropped;
    private final Counter retried;
    private volatile boolean stopping;

    OutboxChannel(
            String name,
            Notifier notifier,
            OkHttpClient client,
            RetryPolicy retry,
            Clock clock,
            Outbox outbox,
            int cap,
            MeterRegistry metrics,
            ReceiverChannel.Sleeper sleeper) {
        this.name = name;
        this.notifier = notifier;
        this.http = new HttpSender(notifier, client, clock);
        this.retry = retry;
        this.sleeper = sleeper;
        this.clock = clock;
        this.outbox = outbox;
        this.cap = cap;
        this.sent = counter(metrics, "sent");
        this.failed = counter(metrics, "failed");
        this.rejected = counter(metrics, "rejected");
        this.dropped = counter(metrics, "dropped");
        this.retried = counter(metrics, "retried");
        Meters.gauge(
                MetricCatalogue.NOTIFY_OUTBOX_ENTRIES,
                metrics,
                this,
                c -> c.depth().entries(),
                name);
        Meters.gauge(
                MetricCatalogue.NOTIFY_OUTBOX_OLDEST_AGE,
                metrics,
                this,
                OutboxChannel::oldestAgeSeconds,
                name);
        this.worker = new Thread(this::run, "streamwatch-notify-" + name);
        this.worker.setDaemon(true);
    }

    private Counter counter(MeterRegistry metrics, String result) {
        return Meters.counter(MetricCatalogue.NOTIFICATIONS, metrics, name, result);
    }

    private Outbox.Depth depth() {
        try {
            return outbox.depth(name);
        } catch (RuntimeException e) {
            return new Outbox.Depth(0, 0);
        }
    }

    private double oldestAgeSeconds() {
        Outbox.Depth d = depth();
        if (d.entries() == 0) return 0;
        return Math.max(0, clock.millis() - d.oldestCreatedAtMs()) / 1000.0;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() {
        Outbox.Depth d = depth();
        if (d.entries() > 0)
            log.info(
                    "receiver {}: {} notification(s) from before the restart wait in the outbox; sending them first, in order",
                    name,
                    d.entries());
        worker.start();
    }

    @Override
    public void offer(Alert alert, Transition transition) {
        if (!notifier.accepts(transition)) return;
        try {
            int lost = outbox.add(name, alert, transition, clock.millis(), cap);
            if (lost > 0) {
                dropped.increment(lost);
                log.warn(
                        "receiver {}: the outbox holds more than {} notifications; dropped {} superseded or oldest FIRING/REPEAT (never a RESOLVED)",
                        name,
                        cap,
                        lost);
            }
        } catch (RuntimeException e) {
            dropped.increment();
            log.error(
                    "receiver {}: could not store {} of {} in the outbox; it is not sent",
                    name,
                    transition,
                    alert.key(),
                    e);
            return;
        }
        wake.release();
    }

    @Override
    public void stopAccepting() {
        stopping = true;
        wake.release();
    }

    @Override
    public boolean awaitDrained(long deadlineNanos) throws InterruptedException {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining > 0) TimeUnit.NANOSECONDS.timedJoin(worker, remaining);
        return !worker.isAlive();
    }

    /** What is still in the outbox stays there for the next start. */
    @Override
    public void forceStop() {
        stopping = true;
        http.cancel();
        worker.interrupt();
        try {
            worker.join(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long left = depth().entries();
        if (left > 0)
            log.info(
                    "receiver {}: {} notification(s) kept in the outbox for the next start",
                    name,
                    left);
    }

    private void run() {
        while (true) {
            try {
                serve();
                return;
            } catch (Throwable t) {
                failed.increment();
                log.error(
                        "receiver {}: delivery failed unexpectedly; resuming in a second", name, t);
                if (stopping || !pause(Duration.ofSeconds(1))) return;
            }
        }
    }

    /** Returns when stopped. */
    private void serve() {
        long current = -1;
        int attempt = 0;
        OutboundRequest request = null;
        while (true) {
            Optional<Outbox.Entry> head;
            try {
                head = outbox.oldest(name);
            } catch (RuntimeException e) {
                log.error("receiver {}: cannot read the outbox; retrying in a second", name, e);
                if (!pause(Duration.ofSeconds(1))) return;
                continue;
            }
            if (head.isEmpty()) {
                if (stopping) return;
                try {
                    wake.tryAcquire(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            Outbox.Entry e = head.get();
            try {
                if (e.id() != current) {
                    current = e.id();
                    attempt = 0;
                    request =
                            notifier.toRequest(
                                    AlertCodec.read(e.payload()), e.transition(), clock.instant());
                }
            } catch (RuntimeException ex) {
                rejected.increment();
                log.error("receiver {}: outbox entry {} cannot be read; removed", name, e.id(), ex);
                outbox.remove(e.id());
                continue;
            }
            attempt++;
            Outcome outcome = http.attempt(request);
            switch (outcome.kind()) {
                case SENT -> {
                    sent.increment();
                    outbox.remove(e.id());
                    log.debug(
                            "receiver {}: delivered {} of {} (attempt {})",
                            name,
                            e.transition(),
                            e.alertKey(),
                            attempt);
                }
                case REJECTED -> {
                    rejected.increment();
                    outbox.remove(e.id());
                    log.warn(
                            "receiver {} ({}) rejected {} of {}, not retrying: {}",
                            name,
                            request,
                            e.transition(),
                            e.alertKey(),
                            outcome.detail());
                }
                case RETRY -> {
                    if (stopping) return; // it stays in the outbox
                    retried.increment();
                    if (attempt == retry.maxAttempts()) {
                        failed.increment();
                        log.warn(
                                "receiver {} ({}): {} of {} still not delivered after {} attempts ({}); it stays in the outbox and is retried every {} s at most until the receiver takes it",
                                name,
                                request,
                                e.transition(),
                                e.alertKey(),
                                attempt,
                                outcome.detail(),
                                retry.maxDelay().toSeconds());
                    }
                    if (!pause(retry.delayAfter(attempt, outcome.retryAfter()))) return;
                }
            }
        }
    }

    /** False when interrupted (shutdown). */
    private boolean pause(Duration d) {
        try {
            sleeper.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "OutboxChannel[" + name + ", " + notifier + "]";
    }
}
