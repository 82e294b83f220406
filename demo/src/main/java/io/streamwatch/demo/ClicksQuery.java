package io.streamwatch.demo;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The monitored Structured Streaming query, in the same driver as the {@link StreamingApp}: it
 * reads the same topic with the Kafka source and a {@value #TRIGGER_MS} ms processing-time trigger,
 * and "enriches" every click in {@code foreachBatch} at the app's cost per record ({@link
 * StreamingApp#COST_MICROS_PER_RECORD} in each partition's task), so a micro-batch's duration grows
 * with the records in it. {@code maxOffsetsPerTrigger} caps a micro-batch at the app's cap per
 * second of interval ({@link #MAX_OFFSETS_PER_TRIGGER}: the surge's records). During the surge
 * every micro-batch is full and takes longer than the trigger interval, and the Kafka backlog
 * behind the query grows; after it, the full micro-batches drain the backlog and the small ones are
 * fast again. Streamwatch watches it through the same {@code spark.extraListeners} as the app:
 * nothing here names it.
 */
final class ClicksQuery implements AutoCloseable {
    /** The query's name: its key in Streamwatch (label {@code query}). */
    static final String NAME = "enrich-clicks";

    /**
     * Twice the app's batch interval: a micro-batch carries fixed costs (offsets, planning, the
     * checkpoint's log) of a few hundred milliseconds on a busy 2-core machine, which must stay
     * well inside the interval in steady state.
     */
    static final long TRIGGER_MS = 2000;

    /** A full micro-batch: the app's per-batch cap, per second of trigger interval. */
    static final long MAX_OFFSETS_PER_TRIGGER =
            StreamingApp.PARTITIONS * StreamingApp.MAX_RATE_PER_PARTITION * TRIGGER_MS / 1000;

    private final StreamingQuery query;

    private ClicksQuery(StreamingQuery query) {
        this.query = query;
    }

    /**
     * Starts the query on {@code spark}, reading {@code topic} from its start (the topic is new),
     * its checkpoint in {@code checkpoint}.
     */
    static ClicksQuery start(
            SparkSession spark, String bootstrapServers, String topic, Path checkpoint)
            throws TimeoutException {
        long cost = StreamingApp.COST_MICROS_PER_RECORD;
        Dataset<Row> clicks =
                spark.readStream()
                        .format("kafka")
                        .option("kafka.bootstrap.servers", bootstrapServers)
                        .option("subscribe", topic)
                        .option("startingOffsets", "earliest")
                        .option("maxOffsetsPerTrigger", MAX_OFFSETS_PER_TRIGGER)
                        .load()
                        .selectExpr("CAST(value AS STRING) AS click");
        StreamingQuery q =
                clicks.writeStream()
                        .queryName(NAME)
                        .option("checkpointLocation", checkpoint.toString())
                        .trigger(Trigger.ProcessingTime(TRIGGER_MS, TimeUnit.MILLISECONDS))
                        .foreachBatch(
                                (VoidFunction2<Dataset<Row>, Long>)
                                        (batch, batchId) ->
                                                batch.foreachPartition(
                                                        (ForeachPartitionFunction<Row>)
                                                                rows -> {
                                                                    long n = 0;
                                                                    while (rows.hasNext()) {
                                                                        rows.next();
                                                                        n++;
                                                                    }
                                                                    StreamingApp.work(n * cost);
                                                                }))
                        .start();
        return new ClicksQuery(q);
    }

    /**
     * Whether a micro-batch with data has completed: Spark plans and compiles the query and opens
     * its Kafka consumers in the first ones, which takes seconds on a small machine. The demo sends
     * a few clicks and starts its timeline once the query is warm, so that start-up cost is not
     * mistaken for the surge's.
     *
     * @throws IllegalStateException if the query failed
     */
    boolean warm() {
        if (!query.isActive() && query.exception().isDefined())
            throw new IllegalStateException(
                    "the query '" + NAME + "' failed: " + query.exception().get().getMessage());
        for (StreamingQueryProgress p : query.recentProgress())
            if (p.numInputRows() > 0) return true;
        return false;
    }

    /**
     * Stops the query: the simulated work cut short, so a running micro-batch ends at once, and
     * stopped between triggers, so no task is killed. Before the app: the SparkContext must outlive
     * the query, or it ends with an exception.
     */
    @Override
    public void close() throws TimeoutException, InterruptedException {
        StreamingApp.cutWorkShort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (query.status().isTriggerActive() && System.nanoTime() < deadline) Thread.sleep(20);
        query.stop();
    }
}
