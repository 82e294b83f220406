package io.streamwatch.e2e;

import io.streamwatch.testkit.spark.SparkLine;

/**
 * {@link StructuredStreamingEndToEnd} on Spark 3.5.3, Scala 2.12 (the line the listener is built
 * against).
 */
class StructuredStreamingSpark35IT extends StructuredStreamingEndToEnd {
    @Override
    SparkLine line() {
        return SparkLine.SPARK_3_5_SCALA_2_12;
    }
}
