package io.streamwatch.listener;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.OutputOperationInfo;
import org.apache.spark.streaming.scheduler.ReceiverInfo;
import org.apache.spark.streaming.scheduler.StreamInputInfo;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchSubmitted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverError;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStopped;
import org.apache.spark.streaming.scheduler.StreamingListenerStreamingStarted;
import scala.Option;

/**
 * Turns Spark's event objects into the JSON events of {@code docs/PROTOCOL.md}. Runs on the shipper
 * thread only; Spark's event objects are immutable, so reading them there is safe. Structured
 * Streaming query events go to {@link QueryEvents}, so this class needs no spark-sql.
 *
 * <p>Kafka offsets are read by reflection ({@code topic()}, {@code partition()}, {@code
 * fromOffset()}, {@code untilOffset()}) so the listener needs no Kafka classes; anything unexpected
 * yields an empty {@code offsets} array.
 */
final class EventEncoder {
    static final int MAX_REASON_CHARS = 2048;
    static final String OFFSETS_KEY = "offsets";

    private static final Comparator<StreamInputInfo> BY_STREAM_ID =
            new Comparator<StreamInputInfo>() {
                @Override
                public int compare(StreamInputInfo a, StreamInputInfo b) {
                    return Integer.compare(a.inputStreamId(), b.inputStreamId());
                }
            };
    private static final Comparator<OutputOperationInfo> BY_OUTPUT_ID =
            new Comparator<OutputOperationInfo>() {
                @Override
                public int compare(OutputOperationInfo a, OutputOperationInfo b) {
                    return Integer.compare(a.id(), b.id());
                }
            };

    private final JsonFactory json;
    private final SparkEnvironment env;
    private final QueryEvents queries;
    private final Map<Class<?>, OffsetRangeReader> offsetReaders = new ConcurrentHashMap<>();

    EventEncoder(JsonFactory json, SparkEnvironment env) {
        this(json, env, new QueryEvents(json));
    }

    EventEncoder(JsonFactory json, SparkEnvironment env, QueryEvents queries) {
        this.json = json;
        this.env = env;
        this.queries = queries;
    }

    /** The protocol event for {@code queued}, or null when its type is not shipped. */
    EncodedEvent encode(QueuedEvent queued) throws IOException {
        Object event = queued.event();
        if (queries.isQueryEvent(event)) {
            return queries.encode(queued);
        }
        String type = typeOf(event);
        if (type == null) {
            return null;
        }
        StringWriter out = new StringWriter(256);
        JsonGenerator g = json.createGenerator(out);
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeNumberField("time", queued.time());
        g.writeNumberField("seq", queued.seq());
        writeBody(g, event);
        g.writeEndObject();
        g.close();
        boolean urgent =
                event instanceof StreamingListenerBatchCompleted
                        || event instanceof StreamingListenerReceiverError
                        || event instanceof SparkListenerApplicationEnd;
        return new EncodedEvent(queued.seq(), type, out.toString(), urgent);
    }

    /** True when {@code event} is one of the Spark events this listener ships. */
    static boolean isShipped(Object event) {
        return typeOf(event) != null;
    }

    static String typeOf(Object event) {
        if (event instanceof StreamingListenerBatchCompleted) {
            return "batchCompleted";
        } else if (event instanceof StreamingListenerBatchStarted) {
            return "batchStarted";
        } else if (event instanceof StreamingListenerBatchSubmitted) {
            return "batchSubmitted";
        } else if (event instanceof StreamingListenerReceiverError) {
            return "receiverError";
        } else if (event instanceof StreamingListenerReceiverStarted) {
            return "receiverStarted";
        } else if (event instanceof StreamingListenerReceiverStopped) {
            return "receiverStopped";
        } else if (event instanceof StreamingListenerStreamingStarted) {
            return "streamingStarted";
        } else if (event instanceof SparkListenerApplicationStart) {
            return "appStart";
        } else if (event instanceof SparkListenerApplicationEnd) {
            return "appEnd";
        }
        return null;
    }

    private void writeBody(JsonGenerator g, Object event) throws IOException {
        if (event instanceof StreamingListenerBatchCompleted) {
            writeBatch(g, ((StreamingListenerBatchCompleted) event).batchInfo());
        } else if (event instanceof StreamingListenerBatchStarted) {
            writeBatch(g, ((StreamingListenerBatchStarted) event).batchInfo());
        } else if (event instanceof StreamingListenerBatchSubmitted) {
            writeBatch(g, ((StreamingListenerBatchSubmitted) event).batchInfo());
        } else if (event instanceof StreamingListenerReceiverError) {
            writeReceiver(g, ((StreamingListenerReceiverError) event).receiverInfo());
        } else if (event instanceof StreamingListenerReceiverStarted) {
            writeReceiver(g, ((StreamingListenerReceiverStarted) event).receiverInfo());
        } else if (event instanceof StreamingListenerReceiverStopped) {
            writeReceiver(g, ((StreamingListenerReceiverStopped) event).receiverInfo());
        } else if (event instanceof StreamingListenerStreamingStarted) {
            g.writeNumberField("startTime", ((StreamingListenerStreamingStarted) event).time());
            writeNullableNumber(g, "batchIntervalMs", positive(env.batchIntervalMs()));
        } else if (event instanceof SparkListenerApplicationStart) {
            SparkListenerApplicationStart start = (SparkListenerApplicationStart) event;
            g.writeStringField("appName", start.appName());
            g.writeNumberField("startTime", start.time());
            g.writeStringField("user", start.sparkUser());
        } else if (event instanceof SparkListenerApplicationEnd) {
            g.writeNumberField("endTime", ((SparkListenerApplicationEnd) event).time());
        }
    }

    private void writeBatch(JsonGenerator g, BatchInfo batch) throws IOException {
        g.writeObjectFieldStart("batch");
        g.writeNumberField("batchTime", batch.batchTime().milliseconds());
        g.writeNumberField("submissionTime", batch.submissionTime());
        writeNullableNumber(g, "processingStartTime", optionalLong(batch.processingStartTime()));
        writeNullableNumber(g, "processingEndTime", optionalLong(batch.processingEndTime()));
        writeNullableNumber(
                g, "schedulingDelayMs", nonNegative(optionalLong(batch.schedulingDelay())));
        writeNullableNumber(
                g, "processingTimeMs", nonNegative(optionalLong(batch.processingDelay())));
        writeNullableNumber(g, "totalDelayMs", nonNegative(optionalLong(batch.totalDelay())));
        g.writeNumberField("records", Math.max(0L, batch.numRecords()));

        List<StreamInputInfo> inputs = new ArrayList<>();
        scala.collection.Iterator<StreamInputInfo> inputIt =
                batch.streamIdToInputInfo().valuesIterator();
        while (inputIt.hasNext()) {
            inputs.add(inputIt.next());
        }
        Collections.sort(inputs, BY_STREAM_ID);
        g.writeArrayFieldStart("inputs");
        for (StreamInputInfo input : inputs) {
            writeInput(g, input);
        }
        g.writeEndArray();

        List<OutputOperationInfo> ops = new ArrayList<>();
        scala.collection.Iterator<OutputOperationInfo> opIt =
                batch.outputOperationInfos().valuesIterator();
        while (opIt.hasNext()) {
            ops.add(opIt.next());
        }
        Collections.sort(ops, BY_OUTPUT_ID);
        String firstFailure = null;
        g.writeArrayFieldStart("outputOps");
        for (OutputOperationInfo op : ops) {
            String reason = cut(optionalString(op.failureReason()), MAX_REASON_CHARS);
            if (firstFailure == null) {
                firstFailure = reason;
            }
            g.writeStartObject();
            g.writeNumberField("id", op.id());
            g.writeStringField("name", op.name());
            g.writeStringField("failureReason", reason);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("failed", firstFailure != null);
        g.writeStringField("failureReason", firstFailure);
        g.writeEndObject();
    }

    private void writeInput(JsonGenerator g, StreamInputInfo input) throws IOException {
        g.writeStartObject();
        g.writeNumberField("streamId", input.inputStreamId());
        g.writeNumberField("records", Math.max(0L, input.numRecords()));
        String description = null;
        Object offsets = null;
        scala.collection.immutable.Map<String, Object> metadata = input.metadata();
        if (metadata != null) {
            Option<Object> rawDescription =
                    metadata.get(StreamInputInfo.METADATA_KEY_DESCRIPTION());
            if (rawDescription.isDefined() && rawDescription.get() != null) {
                description = cut(rawDescription.get().toString(), MAX_REASON_CHARS);
            }
            Option<Object> rawOffsets = metadata.get(OFFSETS_KEY);
            if (rawOffsets.isDefined()) {
                offsets = rawOffsets.get();
            }
        }
        g.writeStringField("description", description);
        g.writeArrayFieldStart("offsets");
        for (OffsetRange range : readOffsets(offsets)) {
            g.writeStartObject();
            g.writeStringField("topic", range.topic);
            g.writeNumberField("partition", range.partition);
            g.writeNumberField("fromOffset", range.fromOffset);
            g.writeNumberField("untilOffset", range.untilOffset);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** All ranges in {@code value}, or none when anything about it is unexpected. */
    List<OffsetRange> readOffsets(Object value) {
        if (value == null) {
            return Collections.emptyList();
        }
        try {
            List<Object> elements = new ArrayList<>();
            if (value instanceof scala.collection.Iterable) {
                scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) value).iterator();
                while (it.hasNext()) {
                    elements.add(it.next());
                }
            } else if (value instanceof Iterable) {
                Iterator<?> it = ((Iterable<?>) value).iterator();
                while (it.hasNext()) {
                    elements.add(it.next());
                }
            } else if (value.getClass().isArray()) {
                int length = Array.getLength(value);
                for (int i = 0; i < length; i++) {
                    elements.add(Array.get(value, i));
                }
            } else {
                return Collections.emptyList();
            }
            List<OffsetRange> ranges = new ArrayList<>(elements.size());
            for (Object element : elements) {
                if (element == null) {
                    return Collections.emptyList();
                }
                OffsetRangeReader reader = readerFor(element.getClass());
                OffsetRange range = reader == null ? null : reader.read(element);
                if (range == null) {
                    return Collections.emptyList();
                }
                ranges.add(range);
            }
            return ranges;
        } catch (Throwable t) {
            return Collections.emptyList();
        }
    }

    private OffsetRangeReader readerFor(Class<?> type) {
        OffsetRangeReader reader = offsetReaders.get(type);
        if (reader == null) {
            reader = OffsetRangeReader.forClass(type);
            offsetReaders.put(type, reader);
        }
        return reader.usable() ? reader : null;
    }

    private void writeReceiver(JsonGenerator g, ReceiverInfo receiver) throws IOException {
        g.writeObjectFieldStart("receiver");
        g.writeNumberField("streamId", receiver.streamId());
        g.writeStringField("name", receiver.name());
        g.writeBooleanField("active", receiver.active());
        g.writeStringField("location", receiver.location());
        g.writeStringField("executorId", receiver.executorId());
        g.writeStringField(
                "lastErrorMessage",
                cut(emptyToNull(receiver.lastErrorMessage()), MAX_REASON_CHARS));
        g.writeStringField("lastError", cut(emptyToNull(receiver.lastError()), MAX_REASON_CHARS));
        g.writeEndObject();
    }

    /** Writes {@code value}, or a JSON null. */
    static void writeNullableNumber(JsonGenerator g, String name, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value.longValue());
        }
    }

    private static Long optionalLong(Option<Object> option) {
        if (option == null || !option.isDefined() || !(option.get() instanceof Number)) {
            return null;
        }
        return ((Number) option.get()).longValue();
    }

    private static String optionalString(Option<String> option) {
        return option != null && option.isDefined() ? option.get() : null;
    }

    private static Long nonNegative(Long value) {
        return value == null || value >= 0 ? value : Long.valueOf(0L);
    }

    private static Long positive(Long value) {
        return value == null || value > 0 ? value : null;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** {@code text} cut to at most {@code max} chars, never splitting a surrogate pair. */
    static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = max;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    /** One Kafka offset range, copied out of Spark's object. */
    static final class OffsetRange {
        final String topic;
        final int partition;
        final long fromOffset;
        final long untilOffset;

        OffsetRange(String topic, int partition, long fromOffset, long untilOffset) {
            this.topic = topic;
            this.partition = partition;
            this.fromOffset = fromOffset;
            this.untilOffset = untilOffset;
        }
    }

    /** Cached accessor methods of one OffsetRange-like class; unusable when any is missing. */
    static final class OffsetRangeReader {
        private final Method topic;
        private final Method partition;
        private final Method fromOffset;
        private final Method untilOffset;

        private OffsetRangeReader(
                Method topic, Method partition, Method fromOffset, Method untilOffset) {
            this.topic = topic;
            this.partition = partition;
            this.fromOffset = fromOffset;
            this.untilOffset = untilOffset;
        }

        static OffsetRangeReader forClass(Class<?> type) {
            try {
                return new OffsetRangeReader(
                        accessor(type, "topic"),
                        accessor(type, "partition"),
                        accessor(type, "fromOffset"),
                        accessor(type, "untilOffset"));
            } catch (Throwable t) {
                return new OffsetRangeReader(null, null, null, null);
            }
        }

        private static Method accessor(Class<?> type, String name) throws NoSuchMethodException {
            Method method = type.getMethod(name);
            try {
                method.setAccessible(true);
            } catch (RuntimeException e) {
                // a public method of a public class works without it
            }
            return method;
        }

        boolean usable() {
            return topic != null;
        }

        OffsetRange read(Object range) throws ReflectiveOperationException {
            Object t = topic.invoke(range);
            Object p = partition.invoke(range);
            Object from = fromOffset.invoke(range);
            Object until = untilOffset.invoke(range);
            if (!(t instanceof String)
                    || !(p instanceof Number)
                    || !(from instanceof Number)
                    || !(until instanceof Number)) {
                return null;
            }
            return new OffsetRange(
                    (String) t,
                    ((Number) p).intValue(),
                    ((Number) from).longValue(),
                    ((Number) until).longValue());
        }
    }
}
