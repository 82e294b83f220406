package io.streamwatch.listener;

import java.net.InetAddress;
import org.apache.spark.streaming.Duration;
import scala.Option;

/**
 * Reads the driver's state through {@code StreamingContext.getActive()}. It never creates a
 * context; everything that goes wrong yields null.
 */
@SuppressWarnings("deprecation") // Spark deprecates DStreams as a whole; this is what we monitor
final class LiveSparkEnvironment implements SparkEnvironment {

    @Override
    public Long batchIntervalMs() {
        try {
            Option<org.apache.spark.streaming.StreamingContext> active =
                    org.apache.spark.streaming.StreamingContext.getActive();
            if (active == null || !active.isDefined()) {
                return null;
            }
            Duration duration = active.get().graph().batchDuration();
            if (duration == null || duration.milliseconds() <= 0) {
                return null;
            }
            return duration.milliseconds();
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public String uiUrl() {
        try {
            Option<org.apache.spark.streaming.StreamingContext> active =
                    org.apache.spark.streaming.StreamingContext.getActive();
            if (active == null || !active.isDefined()) {
                return null;
            }
            Option<String> url = active.get().sparkContext().uiWebUrl();
            return url != null && url.isDefined() ? url.get() : null;
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public String sparkVersion() {
        try {
            return org.apache.spark.package$.MODULE$.SPARK_VERSION();
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Throwable t) {
            return null;
        }
    }
}
