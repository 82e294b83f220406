package io.streamwatch.listener;

import java.lang.reflect.Constructor;
import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.LiveListenerBus;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.OutputOperationInfo;
import org.apache.spark.streaming.scheduler.StreamInputInfo;
import org.apache.spark.streaming.scheduler.StreamingListenerEvent;
import scala.Option;
import scala.collection.JavaConverters;

/** Builds real Spark event objects (with Scala collections) for tests, without a SparkContext. */
final class SparkEvents {
    static final long T0 = 1_790_000_000_000L; // 2026-09-21, a plausible epoch-ms batch time

    private SparkEvents() {}

    @SuppressWarnings("unchecked")
    static <K, V> scala.collection.immutable.Map<K, V> scalaMap(Object... keysAndValues) {
        scala.collection.immutable.Map<K, V> map = scala.collection.immutable.Map$.MODULE$.empty();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map = map.updated((K) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return map;
    }

    static scala.collection.immutable.List<Object> scalaList(Object... items) {
        return JavaConverters.asScalaBuffer(Arrays.asList(items)).toList();
    }

    static Option<Object> some(long value) {
        return Option.<Object>apply(value);
    }

    static Option<Object> none() {
        return Option.empty();
    }

    static StreamInputInfo input(int streamId, long records, Object... metadata) {
        return new StreamInputInfo(
                streamId, records, SparkEvents.<String, Object>scalaMap(metadata));
    }

    static OutputOperationInfo outputOp(long batchTime, int id, String name, String failure) {
        return new OutputOperationInfo(
                new Time(batchTime),
                id,
                name,
                "description of " + name,
                some(batchTime + 10),
                some(batchTime + 20),
                Option.apply(failure));
    }

    /** A batch with one input stream (id 0) of {@code records} records and no output ops yet. */
    static BatchInfo batch(long batchTime, long records, Long start, Long end) {
        return new BatchInfo(
                new Time(batchTime),
                SparkEvents.<Object, StreamInputInfo>scalaMap(0, input(0, records)),
                batchTime + 3,
                start == null ? none() : some(start),
                end == null ? none() : some(end),
                SparkEvents.<Object, OutputOperationInfo>scalaMap());
    }

    static SparkListenerApplicationStart appStart(
            String name, String appId, String attempt, long time, String user) {
        return new SparkListenerApplicationStart(
                name,
                Option.apply(appId),
                time,
                user,
                Option.apply(attempt),
                Option.empty(),
                Option.empty());
    }

    /** Wraps a streaming event the way Spark's StreamingListenerBus does for SparkListeners. */
    static SparkListenerEvent wrap(StreamingListenerEvent event) {
        try {
            Class<?> busClass =
                    Class.forName("org.apache.spark.streaming.scheduler.StreamingListenerBus");
            Object bus = busClass.getConstructor(LiveListenerBus.class).newInstance((Object) null);
            Class<?> wrapped = Class.forName(StreamwatchListener.WRAPPED_EVENT_CLASS);
            Constructor<?> constructor =
                    wrapped.getConstructor(busClass, StreamingListenerEvent.class);
            return (SparkListenerEvent) constructor.newInstance(bus, event);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot build Spark's wrapped streaming event", e);
        }
    }

    static SparkConf conf(String... keysAndValues) {
        SparkConf conf = new SparkConf(false).set("spark.app.name", "test-app");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            conf.set(keysAndValues[i], keysAndValues[i + 1]);
        }
        return conf;
    }

    /** Looks like Kafka's OffsetRange to reflection, without the Kafka dependency. */
    public static final class FakeOffsetRange {
        private final String topic;
        private final int partition;
        private final long fromOffset;
        private final long untilOffset;

        FakeOffsetRange(String topic, int partition, long fromOffset, long untilOffset) {
            this.topic = topic;
            this.partition = partition;
            this.fromOffset = fromOffset;
            this.untilOffset = untilOffset;
        }

        public String topic() {
            return topic;
        }

        public int partition() {
            return partition;
        }

        public long fromOffset() {
            return fromOffset;
        }

        public long untilOffset() {
            return untilOffset;
        }
    }
}
