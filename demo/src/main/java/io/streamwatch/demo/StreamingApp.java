package io.streamwatch.demo;

import io.streamwatch.testkit.spark.SparkFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.kafka010.ConsumerStrategies;
import org.apache.spark.streaming.kafka010.KafkaUtils;
import org.apache.spark.streaming.kafka010.LocationStrategies;

/**
 * The monitored app: a Spark Streaming app in a local driver, reading the topic with a Kafka direct
 * stream in 1 s batches (the {@link ClicksQuery} runs beside it in the same driver). Its work costs
 * {@link #COST_MICROS_PER_RECORD} per record in each partition's task, so processing time grows
 * with the records in a batch; {@code maxRatePerPartition} caps a batch at {@link
 * #MAX_RATE_PER_PARTITION} records per partition. Streamwatch is attached only by configuration
 * ({@code spark.extraListeners} and {@code spark.streamwatch.*}), exactly as on a real cluster.
 */
@SuppressWarnings("deprecation") // DStreams: deprecated in Spark 3.x, and what Streamwatch watches
final class StreamingApp implements AutoCloseable {
    static final String APP_KEY = "streamwatch-demo";
    static final int PARTITIONS = 2;

    /**
     * The local driver's task slots: one per partition for the app and one per partition for the
     * query, so neither waits for the other's tasks.
     */
    static final int CORES = 2 * PARTITIONS;

    static final int MAX_RATE_PER_PARTITION = 400;
    static final long COST_MICROS_PER_RECORD = 3_900;

    /**
     * Set on stop: the simulated work ends at once, so a graceful stop drains the queued batches in
     * moments. Static because the work runs in Spark tasks, which in local mode share this JVM but
     * get their closures by serialization: a field of this object would not reach them.
     */
    private static volatile boolean stopping;

    private final JavaStreamingContext ssc;

    private StreamingApp(JavaStreamingContext ssc) {
        this.ssc = ssc;
    }

    /**
     * Records a second the app (or the query) can process in 1 s batches (one task per partition in
     * parallel).
     */
    static long capacityPerSecond() {
        return PARTITIONS * 1_000_000L / COST_MICROS_PER_RECORD;
    }

    static SparkConf conf(String serviceUrl, String token, Path localDir) {
        SparkConf conf =
                new SparkConf()
                        .setMaster("local[" + CORES + "]")
                        .setAppName("Streamwatch demo: clickstream")
                        .set("spark.driver.host", "127.0.0.1")
                        .set("spark.driver.bindAddress", "127.0.0.1")
                        .set("spark.ui.port", "0")
                        .set("spark.ui.showConsoleProgress", "false")
                        .set("spark.local.dir", localDir.toString())
                        .set(
                                "spark.streaming.kafka.maxRatePerPartition",
                                String.valueOf(MAX_RATE_PER_PARTITION))
                        .set("spark.streaming.backpressure.enabled", "false")
                        .set("spark.streaming.gracefulStopTimeout", "15s")
                        .set("spark.streaming.stopGracefullyOnShutdown", "true")
                        .set("spark.streaming.kafka.consumer.poll.ms", "10000")
                        // Streamwatch, attached by configuration only:
                        .set("spark.extraListeners", "io.streamwatch.listener.StreamwatchListener")
                        .set("spark.streamwatch.url", serviceUrl)
                        .set("spark.streamwatch.token", token)
                        .set("spark.streamwatch.app", APP_KEY)
                        .set("spark.streamwatch.heartbeatIntervalMs", "2000");
        // Spark's UI binds to SPARK_LOCAL_IP, or else every interface: without it, no UI at all.
        if (!"127.0.0.1".equals(System.getenv("SPARK_LOCAL_IP")))
            conf.set("spark.ui.enabled", "false");
        return conf;
    }

    /**
     * Creates the streaming context on the driver's SparkContext, wires the stream and starts it.
     */
    static StreamingApp start(SparkContext sc, String bootstrapServers, String topic) {
        JavaStreamingContext ssc =
                new JavaStreamingContext(
                        JavaSparkContext.fromSparkContext(sc), Durations.seconds(1));
        try {
            Map<String, Object> kafkaParams = SparkFixtures.kafkaParams(bootstrapServers, APP_KEY);
            long cost = COST_MICROS_PER_RECORD;
            KafkaUtils.createDirectStream(
                            ssc,
                            LocationStrategies.PreferConsistent(),
                            ConsumerStrategies.<String, String>Subscribe(
                                    List.of(topic), kafkaParams))
                    .foreachRDD(
                            rdd ->
                                    rdd.foreachPartition(
                                            records -> {
                                                long n = 0;
                                                while (records.hasNext()) {
                                                    records.next();
                                                    n++;
                                                }
                                                work(n * cost);
                                            }));
            ssc.start();
            return new StreamingApp(ssc);
        } catch (RuntimeException e) {
            ssc.stop(true, false);
            throw e;
        }
    }

    /**
     * The per-record work (the app's and the query's), simulated: waits without burning the 2 cores
     * the rest of the demo shares.
     */
    static void work(long micros) {
        long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
        for (long left = micros * 1000; left > 0 && !stopping; left = end - System.nanoTime()) {
            LockSupport.parkNanos(Math.min(left, 50_000_000L));
        }
    }

    String uiUrl() {
        scala.Option<String> url = ssc.sparkContext().sc().uiWebUrl();
        return url.isDefined() ? url.get() : null;
    }

    /**
     * Stops gracefully (queued batches complete, the listener reports the app's end) with the
     * simulated work cut short, so it takes seconds even with a backlog; then the SparkContext.
     * Idempotent.
     */
    @Override
    public void close() {
        cutWorkShort();
        ssc.stop(true, true);
    }

    /** From now on every batch's simulated work ends at once. */
    static void cutWorkShort() {
        stopping = true;
    }
}
