package io.streamwatch.listener;

import com.fasterxml.jackson.core.JsonFactory;
import java.lang.reflect.Method;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships a Spark Streaming application's batch, receiver and lifecycle events, and the query events
 * of every Structured Streaming query in the driver, to streamwatch-service. Attach it with {@code
 * --conf spark.extraListeners=io.streamwatch.listener.StreamwatchListener}; configure it with the
 * {@code spark.streamwatch.*} keys (see {@link ListenerConfig}).
 *
 * <p>DStream events arrive through {@link #onOtherEvent} wrapped in Spark's private {@code
 * StreamingListenerBus$WrappedStreamingListenerEvent}, unwrapped by reflection; Structured
 * Streaming's {@code StreamingQueryListener.Query*Event}s arrive there as they are and are
 * recognised by class name (see {@link QueryEvents}: spark-sql is optional). On the listener-bus
 * thread a callback only numbers the event, stamps the time and offers it to a bounded queue
 * (dropping the oldest when full); conversion and HTTP happen on one daemon thread, started with
 * the first event. Nothing here blocks the bus or throws into it, except that {@link
 * #onApplicationEnd} waits at most {@value #FINAL_FLUSH_TIMEOUT_MS} ms for a final flush. Without
 * {@code spark.streamwatch.url}, or with an unusable configuration, the listener logs one line and
 * does nothing.
 */
public final class StreamwatchListener extends SparkListener {
    static final String LISTENER_VERSION = "0.1.0";
    static final long FINAL_FLUSH_TIMEOUT_MS = 5000;
    static final int CONNECT_TIMEOUT_MS = 2000;
    static final int READ_TIMEOUT_MS = 10_000;
    static final long BACKOFF_BASE_MS = 200;
    static final long BACKOFF_CAP_MS = 30_000;
    static final String WRAPPED_EVENT_CLASS =
            "org.apache.spark.streaming.scheduler.StreamingListenerBus$WrappedStreamingListenerEvent";

    private static final Logger LOG = LoggerFactory.getLogger(StreamwatchListener.class);

    private final ListenerConfig config;
    private final EventQueue queue;
    private final Shipper shipper;
    private final QueryEvents queries;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong callbackErrors = new AtomicLong();
    private final RateLimitedLog callbackLog = new RateLimitedLog(LOG, 60_000);
    private volatile Class<?> wrappedClass;
    private volatile Method unwrap;

    /** The constructor Spark calls for {@code spark.extraListeners}. Never throws. */
    public StreamwatchListener(SparkConf conf) {
        this(conf, null);
    }

    StreamwatchListener(SparkConf conf, SparkEnvironment environment) {
        this(conf, environment, null);
    }

    StreamwatchListener(
            SparkConf conf,
            SparkEnvironment environment,
            QueryEvents.EncoderFactory queryEncoders) {
        ListenerConfig c = null;
        EventQueue q = null;
        Shipper s = null;
        QueryEvents qe = null;
        try {
            c = ListenerConfig.fromSparkConf(conf, LOG::warn);
            SparkEnvironment env = environment != null ? environment : new LiveSparkEnvironment();
            q = new EventQueue(c.bufferSize());
            JsonFactory json = new JsonFactory();
            qe = new QueryEvents(json, queryEncoders);
            s = newShipper(c, q, env, json, qe);
            LOG.info("Streamwatch listener enabled: {}", c);
        } catch (ConfigException e) {
            c = null;
            q = null;
            s = null;
            qe = null;
            if (e.isError()) {
                LOG.error(e.getMessage());
            } else {
                LOG.warn(e.getMessage());
            }
        } catch (Throwable t) {
            c = null;
            q = null;
            s = null;
            qe = null;
            try {
                LOG.error("Streamwatch listener disabled: it failed to initialise (" + t + ")", t);
            } catch (Throwable ignored) {
                // nothing more can be done without risking the driver
            }
        }
        this.config = c;
        this.queue = q;
        this.shipper = s;
        this.queries = qe;
    }

    private static Shipper newShipper(
            ListenerConfig c,
            EventQueue q,
            SparkEnvironment env,
            JsonFactory json,
            QueryEvents queries)
            throws Exception {
        SourceInfo source =
                new SourceInfo(
                        c.app(),
                        c.fallbackAppId(),
                        UUID.randomUUID().toString(),
                        listenerVersion(),
                        env);
        Transport transport =
                new HttpTransport(
                        c.url(),
                        c.token(),
                        c.trustedSockets(),
                        c.trustCertFile(),
                        CONNECT_TIMEOUT_MS,
                        READ_TIMEOUT_MS);
        DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        LongSupplier clock = System::currentTimeMillis;
        return new Shipper(
                q,
                new EventEncoder(json, env, queries),
                source,
                new EnvelopeWriter(json),
                transport,
                new Backoff(BACKOFF_BASE_MS, BACKOFF_CAP_MS, random),
                clock,
                c.flushIntervalMs(),
                c.heartbeatIntervalMs(),
                c.bufferSize(),
                c.token());
    }

    private static String listenerVersion() {
        Package p = StreamwatchListener.class.getPackage();
        String fromManifest = p == null ? null : p.getImplementationVersion();
        return fromManifest != null ? fromManifest : LISTENER_VERSION;
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (shipper == null || closed.get() || event == null) {
            return;
        }
        try {
            Class<?> type = event.getClass();
            if (type != wrappedClass && queries.accepts(type)) {
                enqueue(event); // a Structured Streaming query event, converted by the shipper
                return;
            }
            if (type != wrappedClass) {
                if (wrappedClass != null || !WRAPPED_EVENT_CLASS.equals(type.getName())) {
                    return;
                }
                Method method = type.getMethod("streamingListenerEvent");
                method.setAccessible(true);
                unwrap = method;
                wrappedClass = type;
            }
            Object inner = unwrap.invoke(event);
            if (EventEncoder.isShipped(inner)) {
                enqueue(inner);
            }
        } catch (Throwable t) {
            callbackFailed("onOtherEvent", t);
        }
    }

    @Override
    public void onApplicationStart(SparkListenerApplicationStart event) {
        if (shipper == null || closed.get() || event == null) {
            return;
        }
        try {
            enqueue(event);
        } catch (Throwable t) {
            callbackFailed("onApplicationStart", t);
        }
    }

    /**
     * Queues appEnd, then waits (at most {@value #FINAL_FLUSH_TIMEOUT_MS} ms) until everything
     * queued was delivered, stops the shipper thread and goes inert.
     */
    @Override
    public void onApplicationEnd(SparkListenerApplicationEnd event) {
        if (shipper == null || event == null || !closed.compareAndSet(false, true)) {
            return;
        }
        try {
            long last = enqueue(event);
            shipper.flushAndStop(last, FINAL_FLUSH_TIMEOUT_MS);
        } catch (Throwable t) {
            callbackFailed("onApplicationEnd", t);
            try {
                shipper.stop();
            } catch (Throwable ignored) {
                // already inert
            }
        }
    }

    private long enqueue(Object event) {
        long n = seq.incrementAndGet();
        queue.offer(new QueuedEvent(n, System.currentTimeMillis(), event));
        if (!started.get() && started.compareAndSet(false, true)) {
            try {
                shipper.start();
            } catch (Throwable t) {
                closed.set(true);
                LOG.error(
                        "Streamwatch listener disabled: cannot start its shipper thread ("
                                + t
                                + ")");
            }
        }
        return n;
    }

    private void callbackFailed(String callback, Throwable t) {
        long count = callbackErrors.incrementAndGet();
        try {
            callbackLog.warn(
                    "Streamwatch: " + callback + " failed (" + count + " errors so far)", t);
        } catch (Throwable ignored) {
            // never throw into the listener bus
        }
    }

    /** True when the listener does nothing (not configured, misconfigured, or failed to start). */
    boolean isInert() {
        return shipper == null;
    }

    ListenerConfig config() {
        return config;
    }

    /** Events dropped because the buffer was full. */
    long dropped() {
        return queue == null ? 0 : queue.dropped();
    }

    /** Events waiting for the shipper. */
    int queued() {
        return queue == null ? 0 : queue.size();
    }

    boolean shipperAlive() {
        return shipper != null && shipper.isAlive();
    }

    long callbackErrors() {
        return callbackErrors.get();
    }

    /** Stops shipping at once (tests); the listener stays usable only for inspection. */
    void stopNow() {
        closed.set(true);
        if (shipper != null) {
            shipper.stop();
        }
    }
}
