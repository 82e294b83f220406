package io.streamwatch.listener;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one background thread that converts queued Spark events, batches them and posts them to the
 * service, one request at a time.
 *
 * <p>A batch closes {@code flushIntervalMs} after its first event was seen, at 500 events, or as
 * soon as an urgent event (batchCompleted, receiverError, appEnd, queryProgress, queryTerminated)
 * is in it. Only what a later attempt can fix is retried: connection errors and timeouts (no
 * answer, or the service's 408 for a body that stopped arriving), 429, 502, 503 and 504 keep the
 * same batch and retry with capped exponential backoff and full jitter while new events wait in the
 * bounded {@link EventQueue} (oldest dropped and counted beyond its size). A {@code Retry-After} on
 * a 429 or 503 holds every request, heartbeats included, at least that long (at most {@value
 * Backoff#MAX_RETRY_AFTER_MS} ms). 413 splits the batch in halves; any other answer (400, 401, 500,
 * ...) drops it with a rate-limited warning. When nothing was sent for {@code heartbeatIntervalMs},
 * a heartbeat goes out. The loop survives every {@link Throwable}. Only this thread ever waits;
 * Spark's listener bus never does.
 */
final class Shipper implements Runnable {
    static final String THREAD_NAME = "streamwatch-shipper";
    static final int MAX_BATCH_EVENTS = 500;
    static final int MAX_BATCH_CHARS = 512 * 1024;
    private static final long LOG_INTERVAL_MS = 60_000;
    private static final int MAX_LOGGED_BODY_CHARS = 500;

    private static final Logger LOG = LoggerFactory.getLogger(Shipper.class);

    /** How the shipper thread waits between attempts; tests substitute a virtual clock. */
    interface Sleeper {
        /** Waits up to {@code nanos}, or until {@code monitor} is notified. */
        void sleep(Object monitor, long nanos) throws InterruptedException;
    }

    static final Sleeper MONITOR_WAIT =
            (monitor, nanos) -> {
                synchronized (monitor) {
                    TimeUnit.NANOSECONDS.timedWait(monitor, nanos);
                }
            };

    private final EventQueue queue;
    private final EventEncoder encoder;
    private final SourceInfo source;
    private final EnvelopeWriter envelopes;
    private final Transport transport;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final LongSupplier wallClock;
    private final long flushIntervalMs;
    private final long heartbeatIntervalMs;
    private final int bufferSize;
    private final String token;
    private final RateLimitedLog rejectLog = new RateLimitedLog(LOG, LOG_INTERVAL_MS);
    private final RateLimitedLog errorLog = new RateLimitedLog(LOG, LOG_INTERVAL_MS);

    private final Object monitor = new Object();
    private volatile boolean running = true;
    private volatile boolean closing;
    private volatile long closeDeadlineNanos;
    private volatile long handledSeq;
    private volatile Thread thread;

    // Confined to the shipper thread.
    private long takenSeq;
    private long lastRequestNanos;
    private boolean failing;
    private long failedAttempts;

    /** Wall-clock ms before which the service asked (Retry-After) not to be called again. */
    private long quietUntilMs;

    Shipper(
            EventQueue queue,
            EventEncoder encoder,
            SourceInfo source,
            EnvelopeWriter envelopes,
            Transport transport,
            Backoff backoff,
            LongSupplier wallClock,
            long flushIntervalMs,
            long heartbeatIntervalMs,
            int bufferSize,
            String token) {
        this(
                queue,
                encoder,
                source,
                envelopes,
                transport,
                backoff,
                MONITOR_WAIT,
                wallClock,
                flushIntervalMs,
                heartbeatIntervalMs,
                bufferSize,
                token);
    }

    Shipper(
            EventQueue queue,
            EventEncoder encoder,
            SourceInfo source,
            EnvelopeWriter envelopes,
            Transport transport,
            Backoff backoff,
            Sleeper sleeper,
            LongSupplier wallClock,
            long flushIntervalMs,
            long heartbeatIntervalMs,
            int bufferSize,
            String token) {
        this.queue = queue;
        this.encoder = encoder;
        this.source = source;
        this.envelopes = envelopes;
        this.transport = transport;
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.wallClock = wallClock;
        this.flushIntervalMs = flushIntervalMs;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.bufferSize = bufferSize;
        this.token = token;
    }

    /** Starts the daemon thread; call once. */
    void start() {
        Thread t = new Thread(this, THREAD_NAME);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Waits until every event up to {@code lastSeq} was delivered (or given up on), at most {@code
     * timeoutMs}, then stops the thread.
     *
     * @return true when everything up to {@code lastSeq} was handled in time
     */
    boolean flushAndStop(long lastSeq, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        closeDeadlineNanos = deadline;
        closing = true;
        boolean done = false;
        try {
            synchronized (monitor) {
                monitor.notifyAll();
                while (!(done = handledSeq >= lastSeq)) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, remaining);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        if (done) {
            Thread t = thread;
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (t != null && remaining > 0 && !Thread.currentThread().isInterrupted()) {
                try {
                    t.join(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } else {
            LOG.warn(
                    "Streamwatch: gave up the final flush to {} after {} ms; events after seq {} were not"
                            + " delivered",
                    transport.describe(),
                    timeoutMs,
                    handledSeq);
        }
        return done;
    }

    /** Stops the thread without waiting. */
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** True while the shipper thread runs. */
    boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** The highest sequence number that was delivered, rejected or given up on. */
    long handledSeq() {
        return handledSeq;
    }

    @Override
    public void run() {
        lastRequestNanos = System.nanoTime();
        List<EncodedEvent> batch = new ArrayList<>();
        while (running) {
            try {
                collect(batch);
                if (batch.isEmpty()) {
                    markHandled();
                    maybeHeartbeat();
                } else {
                    deliver(batch);
                    batch.clear();
                    markHandled();
                }
            } catch (InterruptedException e) {
                batch.clear();
            } catch (Throwable t) {
                batch.clear();
                errorLog.warn("Streamwatch: unexpected error in the shipper thread; continuing", t);
                markHandled();
                try {
                    pause(1000);
                } catch (InterruptedException e) {
                    // running decides
                }
            }
        }
    }

    private void collect(List<EncodedEvent> batch) throws InterruptedException {
        long sinceRequestMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRequestNanos);
        long waitMs = Math.max(1, heartbeatIntervalMs - sinceRequestMs);
        QueuedEvent first = queue.poll(waitMs);
        if (first == null) {
            return;
        }
        int chars = 0;
        boolean urgent = false;
        EncodedEvent encoded = take(first);
        if (encoded != null) {
            batch.add(encoded);
            chars += encoded.json().length();
            urgent = encoded.urgent();
        }
        long deadline = first.time() + flushIntervalMs;
        while (batch.size() < MAX_BATCH_EVENTS && chars < MAX_BATCH_CHARS && running) {
            QueuedEvent next;
            if (urgent || closing) {
                next = queue.poll();
            } else {
                next = queue.poll(deadline - wallClock.getAsLong());
            }
            if (next == null) {
                return;
            }
            encoded = take(next);
            if (encoded != null) {
                batch.add(encoded);
                chars += encoded.json().length();
                urgent |= encoded.urgent();
            }
        }
    }

    private EncodedEvent take(QueuedEvent queued) {
        takenSeq = queued.seq();
        try {
            source.observe(queued.event());
            return encoder.encode(queued);
        } catch (Throwable t) {
            errorLog.warn(
                    "Streamwatch: could not convert a "
                            + queued.event().getClass().getName()
                            + "; skipped it",
                    t);
            return null;
        }
    }

    private void deliver(List<EncodedEvent> events) throws IOException, InterruptedException {
        if (source.appId() == null) {
            rejectLog.warn(
                    "Streamwatch: no Spark application id known yet (no SparkListenerApplicationStart seen"
                            + " and spark.app.id not set); dropped "
                            + events.size()
                            + " events",
                    null);
            return;
        }
        int attempt = 0;
        while (running) {
            if (!waitOutQuietPeriod()) {
                return;
            }
            byte[] body = envelopes.write(source, queue.dropped(), queue.size(), events);
            Transport.Response response = post(body);
            int status = response.status();
            String answer = response.body();
            if (status >= 200 && status < 300) {
                reachable();
                return;
            }
            if (status == 413) {
                reachable();
                if (events.size() == 1) {
                    reject(
                            status,
                            answer,
                            "a single event too large for the service (seq "
                                    + events.get(0).seq()
                                    + ", "
                                    + events.get(0).type()
                                    + ")");
                    return;
                }
                int half = events.size() / 2;
                deliver(new ArrayList<>(events.subList(0, half)));
                deliver(new ArrayList<>(events.subList(half, events.size())));
                return;
            }
            if (!retryable(status)) {
                reachable();
                reject(status, answer, events.size() + " events");
                return;
            }
            failed(status, answer);
            if (!pause(Math.max(backoff.delayMs(attempt++), quietMs()))) {
                return;
            }
        }
    }

    /**
     * One POST; a connection error or timeout is status -1 with the error as the answer. A 429 or
     * 503 with a {@code Retry-After} starts a quiet period that no request may break.
     */
    private Transport.Response post(byte[] body) {
        lastRequestNanos = System.nanoTime();
        Transport.Response response;
        try {
            response = transport.post(body);
        } catch (IOException e) {
            return new Transport.Response(-1, e.toString());
        }
        if (response.status() == 429 || response.status() == 503) {
            long now = wallClock.getAsLong();
            long askedMs = Backoff.retryAfterMs(response.retryAfter(), now);
            if (askedMs > 0) {
                quietUntilMs = now + askedMs;
            }
        }
        return response;
    }

    /** How much of a Retry-After quiet period is left, in ms. */
    private long quietMs() {
        return Math.max(0, quietUntilMs - wallClock.getAsLong());
    }

    /** Waits until no quiet period is left; false when the shipper must give up meanwhile. */
    private boolean waitOutQuietPeriod() throws InterruptedException {
        for (long ms = quietMs(); ms > 0; ms = quietMs()) {
            if (!pause(Math.min(ms, Backoff.MAX_RETRY_AFTER_MS))) {
                return false;
            }
        }
        return true;
    }

    private void maybeHeartbeat() throws IOException {
        if (closing || !running || source.appId() == null || quietMs() > 0) {
            return;
        }
        long idleNanos = System.nanoTime() - lastRequestNanos;
        if (idleNanos < TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs)) {
            return;
        }
        byte[] body =
                envelopes.writeHeartbeat(
                        source, queue.dropped(), queue.size(), wallClock.getAsLong());
        Transport.Response response = post(body);
        int status = response.status();
        String answer = response.body();
        if (status >= 200 && status < 300) {
            reachable();
        } else if (retryable(status)) {
            failed(status, answer);
        } else {
            reachable();
            reject(status, answer, "a heartbeat");
        }
    }

    /** Waits {@code ms}; false when the shipper must give up (stopped, or past the close bound). */
    private boolean pause(long ms) throws InterruptedException {
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(ms);
        if (closing) {
            waitNanos = Math.min(waitNanos, closeDeadlineNanos - System.nanoTime());
        }
        if (waitNanos > 0 && running) {
            sleeper.sleep(monitor, waitNanos);
        }
        return running && !(closing && System.nanoTime() - closeDeadlineNanos >= 0);
    }

    private void markHandled() {
        if (handledSeq != takenSeq) {
            handledSeq = takenSeq;
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /**
     * No answer (-1), or an answer that says a later attempt may succeed. 408 counts as "no
     * answer": the service sends it when the body stopped arriving, having applied nothing, and
     * asks for it again.
     */
    private static boolean retryable(int status) {
        return status < 0
                || status == 408
                || status == 429
                || status == 502
                || status == 503
                || status == 504;
    }

    private void failed(int status, String answer) {
        failedAttempts++;
        String why = status < 0 ? answer : "HTTP " + status + " " + scrub(answer);
        if (!failing) {
            failing = true;
            LOG.warn(
                    "Streamwatch: cannot deliver events to {} ({}); retrying with backoff, keeping up to {}"
                            + " events meanwhile (oldest dropped beyond that)",
                    transport.describe(),
                    why,
                    bufferSize);
        } else {
            LOG.debug(
                    "Streamwatch: delivery attempt {} to {} failed: {}",
                    failedAttempts,
                    transport.describe(),
                    why);
        }
    }

    private void reachable() {
        if (failing) {
            LOG.info(
                    "Streamwatch: delivery to {} works again after {} failed attempts; {} events dropped"
                            + " so far",
                    transport.describe(),
                    failedAttempts,
                    queue.dropped());
            failing = false;
            failedAttempts = 0;
        }
    }

    private void reject(int status, String answer, String what) {
        String hint;
        if (status == 401 || status == 403) {
            hint =
                    " Check spark.streamwatch.token / spark.streamwatch.tokenFile against the service's"
                            + " ingest tokens.";
        } else if (status == 413) {
            hint = " Raise ingest.maxBodyBytes on the service.";
        } else if (status >= 500) {
            hint = " The service could not handle it; its log says why.";
        } else {
            hint = " This listener and the service may disagree on the protocol version.";
        }
        rejectLog.warn(
                "Streamwatch: "
                        + transport.describe()
                        + " answered HTTP "
                        + status
                        + " "
                        + scrub(answer)
                        + "; dropped "
                        + what
                        + "."
                        + hint,
                null);
    }

    private String scrub(String text) {
        if (text == null) {
            return "";
        }
        String clean = token == null || token.isEmpty() ? text : text.replace(token, "***");
        return EventEncoder.cut(clean, MAX_LOGGED_BODY_CHARS);
    }
}
