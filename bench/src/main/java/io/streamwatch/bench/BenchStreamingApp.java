package io.streamwatch.bench;

import io.streamwatch.testkit.spark.SparkFixtures;
import io.streamwatch.testkit.spark.TickingReceiver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Duration;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;

/**
 * A real local Spark Streaming app for the benchmarks: receiver input, an output operation that
 * shuffles (so the listener bus also carries stage and task events) and then takes {@link
 * #processingMs}. The Streamwatch listener is attached by configuration only ({@code
 * spark.extraListeners}), as users attach it.
 */
@SuppressWarnings("deprecation") // DStreams: what Streamwatch monitors
final class BenchStreamingApp {
    /**
     * Milliseconds each batch's output operation sleeps after its Spark job; raised to overload the
     * app.
     */
    static final AtomicLong processingMs = new AtomicLong(100);

    private BenchStreamingApp() {}

    static SparkConf conf(String appName, String appKey, String serviceUrl, String token) {
        return SparkFixtures.withListener(
                SparkFixtures.loopback("local[3]", appName), serviceUrl, token, appKey);
    }

    static JavaStreamingContext start(SparkConf conf, long batchMs, Recorder recorder) {
        JavaStreamingContext ssc = new JavaStreamingContext(conf, new Duration(batchMs));
        if (recorder != null) ssc.addStreamingListener(recorder);
        ssc.receiverStream(new TickingReceiver(5))
                .foreachRDD(
                        rdd -> {
                            rdd.repartition(2).count();
                            long ms = processingMs.get();
                            if (ms > 0) Thread.sleep(ms);
                        });
        ssc.start();
        return ssc;
    }

    /** Spark's own record of completed batches, on this JVM's clock. */
    static final class Recorder implements StreamingListener {
        /** One completed batch: batch time, processing time (ms), processing end (epoch ms). */
        record Completed(long batchTime, long processingMs, long processingEndTime) {}

        final List<Completed> completed = new CopyOnWriteArrayList<>();

        @Override
        public void onBatchCompleted(StreamingListenerBatchCompleted event) {
            BatchInfo b = event.batchInfo();
            long delay = b.processingDelay().isDefined() ? (Long) b.processingDelay().get() : -1;
            long end = b.processingEndTime().isDefined() ? (Long) b.processingEndTime().get() : -1;
            completed.add(new Completed(b.batchTime().milliseconds(), delay, end));
        }
    }
}
