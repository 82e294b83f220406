package io.streamwatch.listener;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Structured Streaming part of the listener, split so that nothing here needs spark-sql: the
 * listener-bus thread only asks {@link #accepts} (a cached class check), and the shipper thread
 * hands the queued event to {@link #encode}, which creates the {@link QueryEventEncoder} (the only
 * class that links against spark-sql) when the first query event arrives. A driver without
 * spark-sql never sees such an event, so it never loads that class.
 *
 * <p>A {@link LinkageError} while loading or running the encoder (a Spark whose classes differ from
 * the ones this jar was compiled against) switches the query part off for good with one log line;
 * the bus then stops queueing query events, and DStream and application events keep flowing. Such
 * an error must never reach Spark's listener bus: it is not NonFatal, and it would stop the
 * SparkContext.
 */
final class QueryEvents {
    /** Spark's {@code StreamingQueryListener.Query*Event} classes (3.4 to 4.2). */
    static final String EVENT_CLASS_PREFIX =
            "org.apache.spark.sql.streaming.StreamingQueryListener$Query";

    private static final Logger LOG = LoggerFactory.getLogger(QueryEvents.class);

    /** Creates the encoder; tests substitute one that fails. */
    interface EncoderFactory {
        QueryEventEncoder create(JsonFactory json);
    }

    private final ClassValue<Boolean> queryEventClass =
            new ClassValue<Boolean>() {
                @Override
                protected Boolean computeValue(Class<?> type) {
                    return type.getName().startsWith(EVENT_CLASS_PREFIX);
                }
            };
    private final JsonFactory json;
    private final EncoderFactory factory;
    private volatile boolean disabled;

    /** Confined to the shipper thread. */
    private QueryEventEncoder encoder;

    QueryEvents(JsonFactory json) {
        this(json, null);
    }

    QueryEvents(JsonFactory json, EncoderFactory factory) {
        this.json = json;
        this.factory = factory;
    }

    /** On the bus thread: true when events of {@code type} are query events to be queued. */
    boolean accepts(Class<?> type) {
        return !disabled && queryEventClass.get(type);
    }

    /** True when {@code event} is one of Spark's query events (enabled or not). */
    boolean isQueryEvent(Object event) {
        return event != null && queryEventClass.get(event.getClass());
    }

    boolean disabled() {
        return disabled;
    }

    /**
     * The protocol event for a queued query event; null when it is not shipped (an unknown query
     * event class, or the query part is off). Exceptions other than linkage errors propagate: the
     * shipper skips that one event.
     */
    EncodedEvent encode(QueuedEvent queued) throws IOException {
        if (disabled) {
            return null;
        }
        try {
            if (encoder == null) {
                encoder = factory == null ? new QueryEventEncoder(json) : factory.create(json);
            }
            return encoder.encode(queued);
        } catch (LinkageError e) {
            disable(e);
            return null;
        }
    }

    private void disable(LinkageError e) {
        disabled = true;
        encoder = null;
        try {
            LOG.warn(
                    "Streamwatch: Structured Streaming query events are switched off: this Spark's"
                            + " classes do not match the listener ("
                            + e
                            + "). DStream and application events are still shipped.");
        } catch (Throwable ignored) {
            // logging must not undo the switch
        }
    }
}
