package io.streamwatch.e2e;

import io.streamwatch.testkit.spark.SparkFixtures;
import io.streamwatch.testkit.spark.TickingReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * Not a test: re-captures the Spark REST fixtures of the monitor-service unit tests ({@code
 * monitor-service/src/test/resources/spark-rest/}) from a real local driver. The driver has a
 * receiver that reports an error, a queue stream (an input stream without a receiver), one batch
 * whose output operation fails, and, at the end, output slow enough that batches queue. Run from
 * {@code e2e/} with the test classpath and the Spark JVM options, e.g. {@code java $SPARK_JVM_ARGS
 * -cp target/test-classes:$(cat cp.txt) io.streamwatch.e2e.SparkRestFixtures
 * ../monitor-service/src/test/resources/spark-rest}. Tests that read the fixtures pin their values
 * (app id, batch times): update them after re-capturing.
 */
final class SparkRestFixtures {
    static final AtomicLong sleepMs = new AtomicLong(50);
    static final AtomicLong failBatch = new AtomicLong(-1);

    private SparkRestFixtures() {}

    public static void main(String[] args) throws Exception {
        Path dir =
                Path.of(
                        args.length > 0
                                ? args[0]
                                : "../monitor-service/src/test/resources/spark-rest");
        Files.createDirectories(dir);
        SparkConf conf = SparkFixtures.loopback("local[2]", "capture-fixtures");
        JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.seconds(1));
        JavaReceiverInputDStream<String> stream =
                ssc.receiverStream(
                        new TickingReceiver(5)
                                .reportingErrorAt(
                                        100,
                                        "synthetic receiver error at record 100",
                                        new IllegalStateException("capture: boom")));
        stream.foreachRDD(
                rdd -> {
                    rdd.count();
                });
        ssc.queueStream(new LinkedList<JavaRDD<String>>())
                .foreachRDD(
                        rdd -> {
                            rdd.count();
                        });
        stream.foreachRDD(
                (rdd, time) -> {
                    Thread.sleep(sleepMs.get());
                    if (time.milliseconds() == failBatch.get())
                        throw new IllegalStateException("capture: synthetic output-op failure");
                });
        ssc.start();
        String ui = ssc.sparkContext().sc().uiWebUrl().get();
        String base =
                ui
                        + "/api/v1/applications/"
                        + ssc.sparkContext().sc().applicationId()
                        + "/streaming";
        Thread.sleep(4000);
        failBatch.set((System.currentTimeMillis() / 1000 + 2) * 1000);
        Thread.sleep(4000);
        sleepMs.set(2500);
        Thread.sleep(6000);
        save(ui + "/api/v1/applications", dir.resolve("applications.json"));
        save(base + "/statistics", dir.resolve("statistics.json"));
        save(base + "/receivers", dir.resolve("receivers.json"));
        save(base + "/batches?status=QUEUED", dir.resolve("batches-queued.json"));
        save(base + "/batches?status=PROCESSING", dir.resolve("batches-processing.json"));
        save(base + "/batches?status=COMPLETED", dir.resolve("batches-completed.json"));
        save(
                base + "/batches/" + failBatch.get() + "/operations",
                dir.resolve("operations-failed.json"));
        save(
                base + "/batches/" + (failBatch.get() - 1000) + "/operations",
                dir.resolve("operations-ok.json"));
        ssc.stop(false, false);
        save(base + "/statistics", dir.resolve("statistics-after-stop.txt"));
        ssc.sparkContext().stop();
    }

    private static void save(String url, Path out) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            byte[] body = in == null ? new byte[0] : in.readAllBytes();
            Files.write(out, body);
            System.out.println(code + " " + url + " -> " + out.getFileName());
        }
    }
}
