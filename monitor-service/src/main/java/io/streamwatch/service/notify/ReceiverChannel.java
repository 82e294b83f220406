package io.streamwatch.service.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.metrics.Meters;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.notify.HttpSender.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One receiver's bounded queue and the single daemon thread that serves it, in order, with retries.
 * A slow or dead receiver only ever backs up its own queue; when that is full the oldest
 * notification is dropped. Only what a later attempt can fix is retried: connection errors and
 * timeouts, 429, 502, 503 and 504; a {@code Retry-After} on a 429 or 503 is waited out (see {@link
 * RetryPolicy#delayAfter(int, Duration)}). Any other answer is a rejection, not retried.
 */
final class ReceiverChannel implements Channel {
    private static final Logger log = LoggerFactory.getLogger(ReceiverChannel.class);
    private static final long IDLE_POLL_MILLIS = 200;

    private record Pending(Alert alert, Transition transition) {}

    /** How the worker waits between attempts; tests record instead of sleeping. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final String name;
    private final Notifier notifier;
    private final HttpSender http;
    private final RetryPolicy retry;
    private final Sleeper sleeper;
    private final Clock clock;
    private final LinkedBlockingDeque<Pending> queue;
    private final Thread worker;
    private final Counter sent;
    private final Counter failed;
    private final Counter rejected;
    private final Counter dropped;
    private final Counter retried;
    private volatile boolean stopping;
    private volatile boolean abandoned;

    ReceiverChannel(
            String name,
            Notifier notifier,
            OkHttpClient client,
            RetryPolicy retry,
            Clock clock,
            int capacity,
            MeterRegistry metrics) {
        this(
                name,
                notifier,
                client,
                retry,
                clock,
                capacity,
                metrics,
                d -> Thread.sleep(d.toMillis()));
    }

    ReceiverChannel(
            String name,
            Notifier notifier,
            OkHttpClient client,
            RetryPolicy retry,
            Clock clock,
            int capacity,
            MeterRegistry metrics,
            Sleeper sleeper) {
        this.name = name;
        this.notifier = notifier;
        this.http = new HttpSender(notifier, client, clock);
        this.retry = retry;
        this.sleeper = sleeper;
        this.clock = clock;
        this.queue = new LinkedBlockingDeque<>(capacity);
        this.sent = counter(metrics, "sent");
        this.failed = counter(metrics, "failed");
        this.rejected = counter(metrics, "rejected");
        this.dropped = counter(metrics, "dropped");
        this.retried = counter(metrics, "retried");
        this.worker = new Thread(this::run, "streamwatch-notify-" + name);
        this.worker.setDaemon(true);
    }

    private Counter counter(MeterRegistry metrics, String result) {
        return Meters.counter(MetricCatalogue.NOTIFICATIONS, metrics, name, result);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() {
        worker.start();
    }

    /** Queues the notification if this receiver wants it; never blocks. */
    @Override
    public void offer(Alert alert, Transition transition) {
        if (!notifier.accepts(transition)) return;
        if (stopping) {
            dropped.increment();
            return;
        }
        Pending p = new Pending(alert, transition);
        while (!queue.offerLast(p)) {
            if (queue.pollFirst() != null) dropped.increment();
        }
    }

    /** Accept nothing more; the worker finishes what is queued (without retrying) and exits. */
    @Override
    public void stopAccepting() {
        stopping = true;
    }

    /**
     * Waits for the worker to finish draining, at most until {@code deadlineNanos} ({@link
     * System#nanoTime()}).
     */
    @Override
    public boolean awaitDrained(long deadlineNanos) throws InterruptedException {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining > 0) TimeUnit.NANOSECONDS.timedJoin(worker, remaining);
        return !worker.isAlive();
    }

    /** Abandons the queue and any call in flight; what was still queued is counted as dropped. */
    @Override
    public void forceStop() {
        stopping = true;
        abandoned = true;
        http.cancel();
        worker.interrupt();
        int left = 0;
        while (queue.pollFirst() != null) left++;
        if (left > 0) {
            dropped.increment(left);
            log.warn("receiver {}: {} notification(s) not delivered before shutdown", name, left);
        }
        try {
            worker.join(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!abandoned) {
            Pending next;
            try {
                next =
                        stopping
                                ? queue.pollFirst()
                                : queue.pollFirst(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                if (stopping) return;
                continue;
            }
            try {
                deliver(next);
            } catch (Throwable t) {
                failed.increment();
                log.error(
                        "receiver {}: could not deliver {} of {}",
                        name,
                        next.transition(),
                        next.alert().key(),
                        t);
            }
        }
    }

    private void deliver(Pending p) {
        OutboundRequest request = notifier.toRequest(p.alert(), p.transition(), clock.instant());
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            Outcome outcome = http.attempt(request);
            switch (outcome.kind()) {
                case SENT -> {
                    sent.increment();
                    log.debug(
                            "receiver {}: delivered {} of {} (attempt {})",
                            name,
                            p.transition(),
                            p.alert().key(),
                            attempt);
                    return;
                }
                case REJECTED -> {
                    rejected.increment();
                    log.warn(
                            "receiver {} ({}) rejected {} of {}, not retrying: {}",
                            name,
                            request,
                            p.transition(),
                            p.alert().key(),
                            outcome.detail());
                    return;
                }
                case RETRY -> {
                    Duration delay = retry.delayAfter(attempt, outcome.retryAfter());
                    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                    if (abandoned) {
                        failed.increment();
                        log.warn(
                                "receiver {} ({}): {} of {} abandoned at shutdown, unanswered",
                                name,
                                request,
                                p.transition(),
                                p.alert().key());
                        return;
                    }
                    if (stopping
                            || attempt >= retry.maxAttempts()
                            || elapsed.plus(delay).compareTo(retry.giveUpAfter()) > 0) {
                        failed.increment();
                        log.warn(
                                "receiver {} ({}): gave up on {} of {} after {} attempt(s) in {} s: {}",
                                name,
                                request,
                                p.transition(),
                                p.alert().key(),
                                attempt,
                                elapsed.toSeconds(),
                                outcome.detail());
                        return;
                    }
                    retried.increment();
                    log.debug(
                            "receiver {}: attempt {} for {} failed ({}), retrying in {} ms",
                            name,
                            attempt,
                            p.alert().key(),
                            outcome.detail(),
                            delay.toMillis());
                    try {
                        sleeper.sleep(delay);
                    } catch (InterruptedException e) {
                        failed.increment();
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ReceiverChannel[" + name + ", " + notifier + "]";
    }
}
