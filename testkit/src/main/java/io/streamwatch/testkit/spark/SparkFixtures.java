package io.streamwatch.testkit.spark;

import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * Local Spark drivers for tests, the demo and the benchmarks: everything on loopback, the UI on a
 * free port, and Streamwatch attached only by configuration, as on a real cluster. Spark is {@code
 * provided}: this package loads only where the user already has Spark.
 */
public final class SparkFixtures {
    private SparkFixtures() {}

    /** A local master, driver and UI on 127.0.0.1 (UI on a free port), no console progress bar. */
    public static SparkConf loopback(String master, String appName) {
        return new SparkConf()
                .setMaster(master)
                .setAppName(appName)
                .set("spark.ui.port", "0")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.showConsoleProgress", "false");
    }

    /**
     * The Streamwatch listener by {@code spark.extraListeners}, shipping to {@code serviceUrl} as
     * {@code appKey}.
     */
    public static SparkConf withListener(
            SparkConf conf, String serviceUrl, String token, String appKey) {
        return conf.set("spark.extraListeners", "io.streamwatch.listener.StreamwatchListener")
                .set("spark.streamwatch.url", serviceUrl)
                .set("spark.streamwatch.token", token)
                .set("spark.streamwatch.app", appKey);
    }

    /**
     * Consumer settings for a Kafka direct stream that reads {@code group}'s topics from the
     * earliest offset, with string keys and values, and never commits on its own.
     */
    public static Map<String, Object> kafkaParams(String bootstrapServers, String group) {
        String strings = "org.apache.kafka.common.serialization.StringDeserializer";
        return Map.of(
                "bootstrap.servers", bootstrapServers,
                "group.id", group,
                "auto.offset.reset", "earliest",
                "enable.auto.commit", false,
                "key.deserializer", strings,
                "value.deserializer", strings);
    }
}
