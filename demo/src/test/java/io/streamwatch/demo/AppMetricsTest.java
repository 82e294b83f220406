package io.streamwatch.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AppMetricsTest {
    private static final String EXPOSITION =
            """
            # HELP spark_streaming_batch_interval_seconds batch duration
            # TYPE spark_streaming_batch_interval_seconds gauge
            spark_streaming_batch_interval_seconds{app="streamwatch-demo"} 1.0
            spark_streaming_batch_interval_seconds{app="other"} 5.0
            spark_streaming_last_batch_processing_time_seconds{app="streamwatch-demo"} 1.562
            spark_streaming_last_batch_scheduling_delay_seconds{app="streamwatch-demo"} 4.25
            spark_streaming_waiting_batches{app="streamwatch-demo"} 4.0
            spark_streaming_kafka_lag_records{app="streamwatch-demo",topic="clicks"} 3000.0
            spark_streaming_kafka_lag_records{app="streamwatch-demo",topic="views"} 210.0
            spark_streaming_kafka_lag_seconds{app="streamwatch-demo",topic="clicks"} 4.04
            spark_streaming_batches_completed_total{app="streamwatch-demo"} 57.0
            spark_streaming_batches_completed_total{app="streamwatch-demo-2"} 9.0
            """;

    @Test
    void theLiveLineShowsTheServicesNumbersForTheDemoAppOnly() {
        AppMetrics m = AppMetrics.parse(EXPOSITION, "streamwatch-demo");
        assertEquals(
                "interval 1.0 s | processing 1.56 s | sched delay 4.3 s | waiting batches 4 | kafka lag 3210 records, 4.0 s",
                m.liveLine());
        assertEquals(57, m.batchesCompleted());
    }

    @Test
    void missingSeriesShowAsDashes() {
        assertEquals(
                "interval - | processing - | sched delay - | waiting batches - | kafka lag - records, -",
                AppMetrics.parse("", "streamwatch-demo").liveLine());
    }
}
