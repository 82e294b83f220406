package io.streamwatch.listener;

/**
 * What the shipper asks the running Spark driver. Every method may be slow or fail and is only
 * called on the shipper thread; implementations return null when the answer is unknown.
 */
interface SparkEnvironment {
    /** Batch duration of the active StreamingContext, or null. */
    Long batchIntervalMs();

    /** The driver UI address of the active StreamingContext's SparkContext, or null. */
    String uiUrl();

    /** The Spark version of the driver, or null. */
    String sparkVersion();

    /** This host's name, or null. */
    String hostName();
}
