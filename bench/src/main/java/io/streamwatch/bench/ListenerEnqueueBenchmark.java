package io.streamwatch.bench;

import io.streamwatch.listener.StreamwatchListener;
import java.lang.reflect.Constructor;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.LiveListenerBus;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.SinkProgress;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.OutputOperationInfo;
import org.apache.spark.streaming.scheduler.StreamInputInfo;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchSubmitted;
import org.apache.spark.streaming.scheduler.StreamingListenerEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import scala.Option;
import scala.Tuple2;

/**
 * {@code listener_enqueue_ns_p50/p99}: what one streaming event costs Spark's listener-bus thread.
 * The real {@link StreamwatchListener}, built by its public {@code (SparkConf)} constructor as
 * {@code spark.extraListeners} does, receives real Spark events in {@code onOtherEvent}, wrapped
 * exactly as Spark's {@code StreamingListenerBus} wraps them for SparkListeners ({@code
 * WrappedStreamingListenerEvent}), cycling through batchSubmitted, batchStarted and batchCompleted
 * of 1024 batches. Its shipper thread runs against a live service jar ({@code url}, {@code token}).
 *
 * <p>{@code onQueryProgress} measures the same for Structured Streaming: Spark's own {@code
 * StreamingQueryListener.QueryProgressEvent} (posted unwrapped on the same bus) of 1024
 * micro-batches of one query with a rate-like source, a state operator and a foreachBatch sink. The
 * bus thread pays only a cached class check and the offer; the progress is read on the shipper
 * thread.
 *
 * <p>One thread, as the bus has one per queue. The benchmark calls back-to-back, millions of times
 * per second, far above any real event rate: the bounded queue stays full, so most calls also pay
 * for dropping the oldest event, and the shipper thread competes for the same two cores. The figure
 * is therefore an upper bound for the steady state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class ListenerEnqueueBenchmark {
    private static final int BATCHES = 1024;

    /** Base URL of a running service. */
    @Param("http://127.0.0.1:9470")
    public String url;

    /** Its ingest token. */
    @Param("change-me")
    public String token;

    private StreamwatchListener listener;
    private SparkListenerEvent[] events;
    private SparkListenerEvent[] progressEvents;
    private int next;
    private int nextProgress;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String app = "jmh-listener-" + ProcessHandle.current().pid();
        SparkConf conf =
                new SparkConf(false)
                        .set("spark.app.name", app)
                        .set("spark.app.id", "local-" + System.currentTimeMillis())
                        .set("spark.streamwatch.url", url)
                        .set("spark.streamwatch.token", token)
                        .set("spark.streamwatch.app", app);
        listener = new StreamwatchListener(conf);
        long t0 = System.currentTimeMillis() - BATCHES * 1000L;
        listener.onApplicationStart(
                new SparkListenerApplicationStart(
                        app,
                        Option.apply(conf.get("spark.app.id")),
                        t0,
                        "bench",
                        Option.empty(),
                        Option.empty(),
                        Option.empty()));
        events = new SparkListenerEvent[BATCHES * 3];
        for (int i = 0; i < BATCHES; i++) {
            long bt = t0 + i * 1000L;
            events[3 * i] = wrap(new StreamingListenerBatchSubmitted(batch(bt, null, null)));
            events[3 * i + 1] = wrap(new StreamingListenerBatchStarted(batch(bt, bt + 5, null)));
            events[3 * i + 2] =
                    wrap(
                            new StreamingListenerBatchCompleted(
                                    batch(bt, bt + 5, bt + 5 + 40 + i % 100)));
        }
        progressEvents = new SparkListenerEvent[BATCHES];
        UUID id = UUID.randomUUID();
        UUID runId = UUID.randomUUID();
        for (int i = 0; i < BATCHES; i++) {
            progressEvents[i] =
                    new StreamingQueryListener.QueryProgressEvent(
                            progress(id, runId, i, t0 + i * 1000L));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        listener.onApplicationEnd(new SparkListenerApplicationEnd(System.currentTimeMillis()));
    }

    @Benchmark
    public void onOtherEvent() {
        SparkListenerEvent e = events[next];
        next = next + 1 == events.length ? 0 : next + 1;
        listener.onOtherEvent(e);
    }

    @Benchmark
    public void onQueryProgress() {
        SparkListenerEvent e = progressEvents[nextProgress];
        nextProgress = nextProgress + 1 == progressEvents.length ? 0 : nextProgress + 1;
        listener.onOtherEvent(e);
    }

    /**
     * Micro-batch {@code batchId} of a named query, as Spark's ProgressReporter builds it: Spark's
     * seven durations, one rate source, one state operator, a foreachBatch sink.
     */
    static StreamingQueryProgress progress(UUID id, UUID runId, long batchId, long time) {
        Map<String, Long> durations = new HashMap<>();
        durations.put("triggerExecution", 812L);
        durations.put("addBatch", 600L);
        durations.put("getBatch", 3L);
        durations.put("latestOffset", 2L);
        durations.put("queryPlanning", 40L);
        durations.put("walCommit", 50L);
        durations.put("commitOffsets", 40L);
        Map<String, String> eventTime = new HashMap<>();
        eventTime.put("watermark", Instant.ofEpochMilli(time - 10_000).toString());
        Map<String, String> sourceMetrics = new HashMap<>();
        sourceMetrics.put("maxOffsetsBehindLatest", "0");
        SourceProgress source =
                new SourceProgress(
                        "RateStreamV2[rowsPerSecond=10, rampUpTimeSeconds=0, numPartitions=default",
                        Long.toString(batchId * 10),
                        Long.toString(batchId * 10 + 10),
                        Long.toString(batchId * 10 + 10),
                        10,
                        9.9,
                        12.3,
                        sourceMetrics);
        StateOperatorProgress state =
                new StateOperatorProgress(
                        "stateStoreSave", 5, 1, 0, 0, 0, 0, 1024, 0, 1, 1, new HashMap<>());
        return new StreamingQueryProgress(
                id,
                runId,
                "orders",
                Instant.ofEpochMilli(time).toString(),
                batchId,
                812,
                durations,
                eventTime,
                new StateOperatorProgress[] {state},
                new SourceProgress[] {source},
                new SinkProgress("ForeachBatchSink", -1L, new HashMap<>()),
                new HashMap<String, Row>());
    }

    /**
     * A batch of one receiver input (120 records) and one output operation, as Spark's BatchInfo
     * carries it.
     */
    static BatchInfo batch(long batchTime, Long start, Long end) {
        scala.collection.immutable.Map<Object, StreamInputInfo> inputs =
                scalaMap(
                        0,
                        new StreamInputInfo(0, 120, scalaMap("Description", "receiver stream 0")));
        scala.collection.immutable.Map<Object, OutputOperationInfo> outputs =
                end == null
                        ? scalaMap()
                        : scalaMap(
                                0,
                                new OutputOperationInfo(
                                        new Time(batchTime),
                                        0,
                                        "foreachRDD at BenchApp.java:42",
                                        "org.apache.spark.streaming.api.java.JavaDStreamLike.foreachRDD",
                                        Option.apply(start),
                                        Option.apply(end),
                                        Option.empty()));
        return new BatchInfo(
                new Time(batchTime), inputs, batchTime + 3, opt(start), opt(end), outputs);
    }

    private static Option<Object> opt(Long v) {
        return v == null ? Option.empty() : Option.apply(v);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> scala.collection.immutable.Map<K, V> scalaMap(Object... kv) {
        scala.collection.immutable.Map<K, V> m = scala.collection.immutable.Map$.MODULE$.empty();
        for (int i = 0; i < kv.length; i += 2) m = m.$plus(new Tuple2<>((K) kv[i], (V) kv[i + 1]));
        return m;
    }

    /**
     * Wraps a streaming event exactly as Spark's StreamingListenerBus does before posting it to the
     * listener bus.
     */
    static SparkListenerEvent wrap(StreamingListenerEvent event)
            throws ReflectiveOperationException {
        Class<?> busClass =
                Class.forName("org.apache.spark.streaming.scheduler.StreamingListenerBus");
        Object bus = busClass.getConstructor(LiveListenerBus.class).newInstance((Object) null);
        Class<?> wrapped =
                Class.forName(
                        "org.apache.spark.streaming.scheduler.StreamingListenerBus$WrappedStreamingListenerEvent");
        Constructor<?> c = wrapped.getConstructor(busClass, StreamingListenerEvent.class);
        return (SparkListenerEvent) c.newInstance(bus, event);
    }
}
