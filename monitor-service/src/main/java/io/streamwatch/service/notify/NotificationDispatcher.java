package io.streamwatch.service.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.config.ServiceConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alert transitions to every configured receiver. {@link #publish} only enqueues: each
 * receiver has its own bounded queue and its own daemon thread, so a slow or dead receiver delays
 * neither the alert engine nor the other receivers. FIRING and RESOLVED go to every receiver;
 * REPEAT only to Alertmanager receivers, which expire alerts that are not re-sent.
 *
 * <p>Outcomes are counted in {@code streamwatch_notifications_total{receiver, result}}, where
 * {@code receiver} is the type and index in the configured list ({@code webhook-0}) and {@code
 * result} is {@code sent}, {@code retried} (one per retry), {@code failed} (gave up), {@code
 * rejected} (any answer but 2xx, 429, 502, 503, 504: not retried) or {@code dropped} (queue
 * overflow or shutdown). With an {@link Outbox}, webhook and PagerDuty notifications are durable
 * and retried until delivered ({@link OutboxChannel}; {@code failed} then counts those still
 * undelivered after the policy's attempts, which stay queued).
 */
public final class NotificationDispatcher implements AlertSink, AutoCloseable {

    /** Queue length per receiver. */
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;

    /** How long {@link #close()} lets queues drain. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(NotificationDispatcher.class);

    private final List<Channel> channels;
    private final OkHttpClient ownedClient;
    private final Outbox outbox;
    private final Duration drainTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Production wiring: its own HTTP client (connect 2 s, call 10 s), default retries, queues and
     * drain, and a durable {@code outbox} for webhook and PagerDuty receivers (see {@link
     * OutboxChannel}; {@link Outbox#none()} keeps them in memory); Alertmanager receivers queue in
     * memory, since the alert engine re-sends what fires.
     *
     * @param resendInterval how often the alert engine re-sends a firing alert (REPEAT);
     *     Alertmanager alerts are valid for four times this
     * @param externalUrl where Streamwatch is reachable, for the webhook's {@code externalURL}
     */
    public NotificationDispatcher(
            List<ServiceConfig.Receiver> receivers,
            Duration resendInterval,
            String externalUrl,
            MeterRegistry metrics,
            Clock clock,
            Outbox outbox) {
        this(
                receivers,
                resendInterval,
                externalUrl,
                metrics,
                clock,
                defaultClient(),
                true,
                RetryPolicy.defaults(),
                DEFAULT_QUEUE_CAPACITY,
                DEFAULT_DRAIN_TIMEOUT,
                outbox,
                d -> Thread.sleep(d.toMillis()));
    }

    /**
     * Everything injectable, with a durable {@code outbox} for webhook and PagerDuty receivers
     * ({@code queueCapacity} is then also the outbox's cap per receiver). The {@code client} is not
     * shut down by {@link #close()}.
     */
    public NotificationDispatcher(
            List<ServiceConfig.Receiver> receivers,
            Duration resendInterval,
            String externalUrl,
            MeterRegistry metrics,
            Clock clock,
            OkHttpClient client,
            RetryPolicy retry,
            int queueCapacity,
            Duration drainTimeout,
            Outbox outbox) {
        this(
                receivers,
                resendInterval,
                externalUrl,
                metrics,
                clock,
                client,
                false,
                retry,
                queueCapacity,
                drainTimeout,
                outbox,
                d -> Thread.sleep(d.toMillis()));
    }

    private NotificationDispatcher(
            List<ServiceConfig.Receiver> receivers,
            Duration resendInterval,
            String externalUrl,
            MeterRegistry metrics,
            Clock clock,
            OkHttpClient client,
            boolean ownsClient,
            RetryPolicy retry,
            int queueCapacity,
            Duration drainTimeout,
            Outbox outbox,
            ReceiverChannel.Sleeper sleeper) {
        if (queueCapacity < 1)
            throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
        ObjectMapper json = new ObjectMapper();
        List<Channel> built = new ArrayList<>(receivers.size());
        for (int i = 0; i < receivers.size(); i++) {
            ServiceConfig.Receiver r = receivers.get(i);
            String name = r.type() + "-" + i;
            Notifier notifier = notifier(r, resendInterval, externalUrl, json);
            boolean durable =
                    outbox.durable() && r.type() != ServiceConfig.Receiver.Type.ALERTMANAGER;
            built.add(
                    durable
                            ? new OutboxChannel(
                                    name,
                                    notifier,
                                    client,
                                    retry,
                                    clock,
                                    outbox,
                                    queueCapacity,
                                    metrics,
                                    sleeper)
                            : new ReceiverChannel(
                                    name,
                                    notifier,
                                    client,
                                    retry,
                                    clock,
                                    queueCapacity,
                                    metrics,
                                    sleeper));
        }
        this.channels = List.copyOf(built);
        this.ownedClient = ownsClient ? client : null;
        this.outbox = outbox;
        this.drainTimeout = drainTimeout;
        channels.forEach(Channel::start);
    }

    private static Notifier notifier(
            ServiceConfig.Receiver r,
            Duration resendInterval,
            String externalUrl,
            ObjectMapper json) {
        return switch (r.type()) {
            case ALERTMANAGER -> new AlertmanagerNotifier(r.url(), resendInterval, json);
            case WEBHOOK -> new WebhookNotifier(r.url(), externalUrl, json);
            case PAGERDUTY ->
                    new PagerDutyNotifier(
                            r.url(),
                            r.routingKey() == null || r.routingKey().isEmpty()
                                    ? null
                                    : r.routingKey().values().get(0),
                            json);
        };
    }

    /** An HTTP client with the short timeouts notifications want: connect 2 s, whole call 10 s. */
    public static OkHttpClient defaultClient() {
        return new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(10))
                .writeTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Enqueues the transition for every receiver that wants it. Never blocks, never throws. */
    @Override
    public void publish(Alert alert, Transition transition) {
        if (alert == null || transition == null) return;
        for (Channel channel : channels) {
            try {
                channel.offer(alert, transition);
            } catch (RuntimeException e) {
                log.error(
                        "receiver {}: could not queue {} of {}",
                        channel.name(),
                        transition,
                        alert.key(),
                        e);
            }
        }
    }

    /** The receiver names used as the metric's {@code receiver} label, in configuration order. */
    public List<String> receiverNames() {
        return channels.stream().map(Channel::name).toList();
    }

    /** Gives every queue up to the drain timeout (shared) to empty, then stops the threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        channels.forEach(Channel::stopAccepting);
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        boolean interrupted = false;
        for (Channel channel : channels) {
            boolean drained = false;
            if (!interrupted) {
                try {
                    drained = channel.awaitDrained(deadline);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (!drained) channel.forceStop();
        }
        if (interrupted) Thread.currentThread().interrupt();
        outbox.close();
        if (ownedClient != null) {
            ownedClient.dispatcher().executorService().shutdown();
            ownedClient.connectionPool().evictAll();
        }
    }

    @Override
    public String toString() {
        return "NotificationDispatcher" + channels;
    }
}
