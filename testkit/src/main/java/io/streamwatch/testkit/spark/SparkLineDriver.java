package io.streamwatch.testkit.spark;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;

/**
 * A real Spark driver for the compatibility tests, run in its own JVM on one Spark line's classpath
 * plus the listener jar ({@link SparkLineDriverProcess} starts it). It uses Spark's Java API only,
 * so one compiled class runs on Spark 3.4 to 4.2 and on both Scala lines. The Streamwatch listener
 * is attached only by configuration ({@code -Dspark.extraListeners=...}, {@code
 * -Dspark.streamwatch.*}, which SparkConf reads like {@code --conf}); this class never names it.
 *
 * <p>Commands, one a line on standard input (end of input is {@code exit}):
 *
 * <pre>
 * query NAME [triggerMs=1000] [rows=5] [failAt=BATCHID] [session=2]
 *            [kafka=BOOTSTRAP topic=TOPIC] [maxOffsets=N] [watermark=SECONDS] [sleepMs=MS]
 * stop NAME
 * slow NAME sleepMs=MS
 * dstream start [intervalMs=1000] [perTick=2]
 * dstream stop
 * exit
 * </pre>
 *
 * <p>{@code watermark=SECONDS} makes the query stateful: a count per 5-second window of the
 * source's {@code timestamp} column (rate and Kafka sources have one) behind a watermark that many
 * seconds late, so Spark reports a watermark and state rows.
 *
 * <p>A query's checkpoint is {@code spark.sql.streaming.checkpointLocation}/NAME (that conf is
 * required): the same name again restarts the query from its checkpoint. (DataStreamWriter's {@code
 * option} is not callable from one class on 3.x and 4.x: it moved to a generic interface.)
 *
 * <p>{@code sleepMs} makes each of the query's micro-batches sleep that long in its foreachBatch
 * after its work, so its {@code triggerExecution} exceeds a short trigger; {@code slow NAME
 * sleepMs=MS} changes it while the query runs (0: no sleep). The sleep belongs to the name, so a
 * restart from the checkpoint keeps it unless the new {@code query} command gives another.
 *
 * <p>Spark's own ground truth goes to standard output as JSON lines prefixed with {@value #MARK}:
 * each command's {@code ok} or {@code error}, and what the driver's own listeners, added in code
 * (Spark's StreamingQueryListener on every session, a SparkListener for DStream batches), saw:
 * {@code started}, {@code progress} (batchId, runId, timestamp, triggerExecution, numInputRows, the
 * sources' end offsets), {@code terminated}, {@code dstreamBatch}.
 */
public final class SparkLineDriver {
    /** Marks the driver's own output lines among Spark's logging. */
    public static final String MARK = "@@sw ";

    private final SparkSession session1;
    private final SparkSession session2;
    private final Map<String, StreamingQuery> queries = new LinkedHashMap<>();
    private final Map<String, AtomicLong> sleeps = new ConcurrentHashMap<>();
    private JavaStreamingContext ssc;

    private SparkLineDriver(SparkSession session1) {
        this.session1 = session1;
        this.session2 = session1.newSession();
        GroundTruth truth = new GroundTruth();
        session1.streams().addListener(truth.queries(1));
        session2.streams().addListener(truth.queries(2));
        session1.sparkContext().addSparkListener(truth.dstreams());
    }

    /**
     * {@code SparkLineDriver [MASTER]}: the app name and the listener come from system properties.
     */
    public static void main(String[] args) throws Exception {
        SparkConf conf = new SparkConf(); // reads -Dspark.* like spark-submit's --conf
        conf.setMaster(args.length > 0 ? args[0] : "local[3]");
        conf.setIfMissing("spark.app.name", "streamwatch-compat");
        conf.set("spark.ui.port", "0")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.sql.shuffle.partitions", "2");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        SparkLineDriver driver = new SparkLineDriver(spark);
        emit(
                "ready",
                "appId",
                spark.sparkContext().applicationId(),
                "sparkVersion",
                spark.version(),
                "scalaVersion",
                scala.util.Properties.versionNumberString());
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.trim();
            if (line.isEmpty()) continue;
            if (line.equals("exit")) break;
            try {
                driver.run(line);
                emit("ok", "command", line);
            } catch (Exception | LinkageError e) {
                emit("error", "command", line, "message", String.valueOf(e));
            }
        }
        driver.stopAll();
        spark.stop();
        emit("exited");
        System.exit(0);
    }

    private void run(String line) throws Exception {
        String[] words = line.split("\\s+");
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) opts.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        switch (words[0]) {
            case "query" -> startQuery(words[1], opts);
            case "stop" -> stopQuery(words[1]);
            case "slow" -> sleepOf(words[1]).set(Long.parseLong(required(opts, "sleepMs")));
            case "dstream" -> {
                if (words[1].equals("start")) startDStream(opts);
                else stopDStream();
            }
            default -> throw new IllegalArgumentException("unknown command " + words[0]);
        }
    }

    private void startQuery(String name, Map<String, String> opts) throws Exception {
        SparkSession spark = "2".equals(opts.get("session")) ? session2 : session1;
        DataStreamReader reader;
        if (opts.containsKey("kafka")) {
            reader =
                    spark.readStream()
                            .format("kafka")
                            .option("kafka.bootstrap.servers", opts.get("kafka"))
                            .option("subscribe", opts.get("topic"))
                            .option("startingOffsets", "earliest");
            if (opts.containsKey("maxOffsets"))
                reader = reader.option("maxOffsetsPerTrigger", opts.get("maxOffsets"));
        } else {
            reader =
                    spark.readStream()
                            .format("rate")
                            .option("rowsPerSecond", opts.getOrDefault("rows", "5"));
        }
        long failAt = Long.parseLong(opts.getOrDefault("failAt", "-1"));
        AtomicLong sleep = sleepOf(name);
        if (opts.containsKey("sleepMs")) sleep.set(Long.parseLong(opts.get("sleepMs")));
        Dataset<Row> input = reader.load();
        if (opts.containsKey("watermark")) input = windowedCounts(input, opts.get("watermark"));
        StreamingQuery q =
                input.writeStream()
                        .queryName(name)
                        .trigger(
                                Trigger.ProcessingTime(
                                        Long.parseLong(opts.getOrDefault("triggerMs", "1000"))))
                        .foreachBatch(
                                (VoidFunction2<Dataset<Row>, Long>)
                                        (batch, batchId) -> {
                                            batch.count();
                                            long ms = sleep.get();
                                            if (ms > 0) Thread.sleep(ms);
                                            if (failAt >= 0 && batchId >= failAt) {
                                                throw new IllegalStateException(
                                                        "planned failure in batch " + batchId);
                                            }
                                        })
                        .start();
        queries.put(name, q);
    }

    /** A stateful count per 5-second event-time window, behind a watermark {@code seconds} late. */
    private static Dataset<Row> windowedCounts(Dataset<Row> input, String seconds) {
        return input.withWatermark("timestamp", Long.parseLong(seconds) + " seconds")
                .groupBy(functions.window(functions.col("timestamp"), "5 seconds"))
                .count();
    }

    /** The foreachBatch sleep of query {@code name} (0 until set). */
    private AtomicLong sleepOf(String name) {
        return sleeps.computeIfAbsent(name, n -> new AtomicLong());
    }

    private static String required(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) throw new IllegalArgumentException("missing " + key + "=...");
        return v;
    }

    private void stopQuery(String name) throws Exception {
        StreamingQuery q = queries.remove(name);
        if (q == null) throw new IllegalArgumentException("no query " + name);
        q.stop();
        q.awaitTermination(30_000);
    }

    private void startDStream(Map<String, String> opts) {
        if (ssc != null) throw new IllegalStateException("a StreamingContext runs already");
        ssc =
                new JavaStreamingContext(
                        new JavaSparkContext(session1.sparkContext()),
                        Durations.milliseconds(
                                Long.parseLong(opts.getOrDefault("intervalMs", "1000"))));
        ssc.receiverStream(new TickingReceiver(Integer.parseInt(opts.getOrDefault("perTick", "2"))))
                .foreachRDD(rdd -> rdd.count());
        ssc.start();
    }

    private void stopDStream() {
        if (ssc == null) throw new IllegalStateException("no StreamingContext runs");
        ssc.stop(false, false); // the SparkContext's bus still reports the batches that completed
        ssc = null;
    }

    private void stopAll() {
        for (StreamingQuery q : queries.values()) {
            try {
                q.stop();
            } catch (Exception e) {
                emit("error", "command", "exit", "message", String.valueOf(e));
            }
        }
        if (ssc != null) ssc.stop(false, false);
    }

    /** What Spark itself reports, from listeners the driver adds in code. */
    private static final class GroundTruth {
        StreamingQueryListener queries(int session) {
            return new StreamingQueryListener() {
                @Override
                public void onQueryStarted(QueryStartedEvent e) {
                    emit(
                            "started",
                            "session",
                            session,
                            "name",
                            e.name(),
                            "queryId",
                            e.id().toString(),
                            "runId",
                            e.runId().toString());
                }

                @Override
                public void onQueryProgress(QueryProgressEvent e) {
                    StreamingQueryProgress p = e.progress();
                    StringBuilder sources = new StringBuilder("[");
                    for (SourceProgress s : p.sources()) {
                        if (sources.length() > 1) sources.append(',');
                        sources.append(
                                json(
                                        "description",
                                        s.description(),
                                        "startOffset",
                                        s.startOffset(),
                                        "endOffset",
                                        s.endOffset(),
                                        "numInputRows",
                                        s.numInputRows()));
                    }
                    Long trigger = p.durationMs().get("triggerExecution");
                    emit(
                            "progress",
                            "session",
                            session,
                            "name",
                            p.name(),
                            "queryId",
                            p.id().toString(),
                            "runId",
                            p.runId().toString(),
                            "batchId",
                            p.batchId(),
                            "timestamp",
                            Instant.parse(p.timestamp()).toEpochMilli(),
                            "triggerExecution",
                            trigger,
                            "addBatch",
                            p.durationMs().containsKey("addBatch"),
                            "numInputRows",
                            p.numInputRows(),
                            "sources",
                            new Raw(sources.append(']').toString()));
                }

                @Override
                public void onQueryTerminated(QueryTerminatedEvent e) {
                    emit(
                            "terminated",
                            "session",
                            session,
                            "queryId",
                            e.id().toString(),
                            "runId",
                            e.runId().toString(),
                            "exception",
                            e.exception().isDefined() ? e.exception().get() : null);
                }
            };
        }

        /**
         * DStream batches from the SparkContext's bus, which delivers the last ones even after the
         * StreamingContext stopped (a StreamingListener may miss them).
         */
        SparkListener dstreams() {
            return new SparkListener() {
                @Override
                public void onOtherEvent(SparkListenerEvent event) {
                    if (!event.getClass().getName().endsWith("WrappedStreamingListenerEvent"))
                        return;
                    try {
                        Method m = event.getClass().getMethod("streamingListenerEvent");
                        m.setAccessible(true);
                        Object inner = m.invoke(event);
                        if (inner instanceof StreamingListenerBatchCompleted c) {
                            BatchInfo b = c.batchInfo();
                            emit(
                                    "dstreamBatch",
                                    "batchTime",
                                    b.batchTime().milliseconds(),
                                    "records",
                                    b.numRecords(),
                                    "submissionTime",
                                    b.submissionTime(),
                                    "processingStartTime",
                                    b.processingStartTime().get(),
                                    "processingEndTime",
                                    b.processingEndTime().get());
                        }
                    } catch (ReflectiveOperationException e) {
                        emit("error", "command", "dstream", "message", String.valueOf(e));
                    }
                }
            };
        }
    }

    /** Already JSON. */
    private record Raw(String json) {}

    private static void emit(String event, Object... fields) {
        Object[] all = new Object[fields.length + 2];
        all[0] = "event";
        all[1] = event;
        System.arraycopy(fields, 0, all, 2, fields.length);
        String line = MARK + json(all) + "\n";
        synchronized (System.out) {
            System.out.print(line);
            System.out.flush();
        }
    }

    private static String json(Object... fields) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < fields.length; i += 2) {
            if (i > 0) b.append(',');
            quote(b, (String) fields[i]);
            b.append(':');
            Object v = fields[i + 1];
            if (v == null) b.append("null");
            else if (v instanceof Raw r) b.append(r.json());
            else if (v instanceof Number || v instanceof Boolean) b.append(v);
            else quote(b, v.toString());
        }
        return b.append('}').toString();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
