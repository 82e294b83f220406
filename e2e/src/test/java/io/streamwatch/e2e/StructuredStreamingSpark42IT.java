package io.streamwatch.e2e;

import io.streamwatch.testkit.spark.SparkLine;

/** {@link StructuredStreamingEndToEnd} on Spark 4.2.0, Scala 2.13. */
class StructuredStreamingSpark42IT extends StructuredStreamingEndToEnd {
    @Override
    SparkLine line() {
        return SparkLine.SPARK_4_2;
    }
}
