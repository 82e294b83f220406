package io.streamwatch.e2e;

import io.streamwatch.testkit.spark.SparkFixtures;
import io.streamwatch.testkit.spark.TickingReceiver;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * A real Spark Streaming driver with the Streamwatch listener attached only by configuration:
 * receiver input, 1 s batches, an output operation whose processing time is {@link #processingMs}.
 * Run in-process by tests that steer the load, or as its own JVM by {@link #main} so a test can end
 * it cleanly or kill it.
 */
final class StreamingDriver {
    /** Milliseconds each batch's output operation takes; tests raise it to overload the app. */
    static final AtomicLong processingMs = new AtomicLong(100);

    private StreamingDriver() {}

    static SparkConf conf(String appKey, String serviceUrl, String token) {
        return SparkFixtures.withListener(
                        SparkFixtures.loopback(
                                "local[2]", "streamwatch-e2e-" + appKey.replace(' ', '-')),
                        serviceUrl,
                        token,
                        appKey)
                .set("spark.streamwatch.heartbeatIntervalMs", "1000");
    }

    static JavaStreamingContext start(SparkConf conf) {
        JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.seconds(1));
        ssc.receiverStream(new TickingReceiver(5))
                .foreachRDD(
                        rdd -> {
                            rdd.count();
                            Thread.sleep(processingMs.get());
                        });
        ssc.start();
        return ssc;
    }

    /**
     * {@code StreamingDriver APP URL TOKEN SECONDS}: runs for SECONDS then stops cleanly (0: until
     * killed). Prints {@code STARTED <appId>} once streaming runs.
     */
    public static void main(String[] args) throws Exception {
        JavaStreamingContext ssc = start(conf(args[0], args[1], args[2]));
        System.out.println("STARTED " + ssc.sparkContext().sc().applicationId());
        System.out.flush();
        long seconds = Long.parseLong(args[3]);
        if (seconds == 0) {
            ssc.awaitTermination();
        } else {
            ssc.awaitTerminationOrTimeout(seconds * 1000);
            ssc.stop(true, true);
        }
        System.out.println("STOPPED");
    }
}
