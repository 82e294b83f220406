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
            spark_structured_streaming_trigger_interval_seconds{app="streamwatch-demo",query="enrich-clicks"} 1.0
            spark_structured_streaming_last_batch_duration_seconds{app="streamwatch-demo",query="enrich-clicks"} 1.617
            spark_structured_streaming_last_batch_duration_seconds{app="streamwatch-demo",query="other"} 9.0
            spark_structured_streaming_input_rate_rows_per_second{app="streamwatch-demo",query="enrich-clicks"} 799.6
            spark_structured_streaming_processing_rate_rows_per_second{app="streamwatch-demo",query="enrich-clicks"} 494.7
            spark_structured_streaming_kafka_lag_records{app="streamwatch-demo",query="enrich-clicks",topic="clicks"} 4200.0
            spark_structured_streaming_kafka_lag_seconds{app="streamwatch-demo",query="enrich-clicks",topic="clicks"} 5.25
            spark_structured_streaming_batches_completed_total{app="streamwatch-demo",query="enrich-clicks"} 31.0
            spark_streaming_kafka_lag_records{app="streamwatch-demo",query="enrich-clicks",topic="clicks"} 1.0E9
            spark_structured_streaming_batches_completed_total{app="streamwatch-demo\\\"x",query="enrich-clicks"} 5.0
            """;

    @Test
    void theLiveLineShowsTheServicesNumbersForTheDemoAppOnlyNotItsQueries() {
        AppMetrics m = AppMetrics.parse(EXPOSITION, "streamwatch-demo");
        assertEquals(
                "interval 1.0 s | processing 1.56 s | sched delay 4.3 s | waiting batches 4 | kafka lag 3210 records, 4.0 s",
                m.liveLine());
        assertEquals(57, m.batchesCompleted());
    }

    @Test
    void theQueryLineShowsTheServicesNumbersForThatQueryOnly() {
        AppMetrics q = AppMetrics.parse(EXPOSITION, "streamwatch-demo", "enrich-clicks");
        assertEquals(
                "trigger 1.0 s | micro-batch 1.62 s | input 800 rows/s | processed 495 rows/s | kafka lag 4200 records, 5.3 s",
                q.queryLiveLine());
        assertEquals(31, q.microBatchesCompleted());
        assertEquals(0, q.batchesCompleted());
        assertEquals(0, AppMetrics.parse(EXPOSITION, "streamwatch-demo").microBatchesCompleted());
    }

    @Test
    void labelValuesAreReadWithTheirEscapes() {
        assertEquals(
                5,
                AppMetrics.parse(EXPOSITION, "streamwatch-demo\"x", "enrich-clicks")
                        .microBatchesCompleted());
    }

    @Test
    void missingSeriesShowAsDashes() {
        assertEquals(
                "trigger - | micro-batch - | input - rows/s | processed - rows/s | kafka lag - records, -",
                AppMetrics.parse("", "streamwatch-demo", "enrich-clicks").queryLiveLine());
        assertEquals(
                "interval - | processing - | sched delay - | waiting batches - | kafka lag - records, -",
                AppMetrics.parse("", "streamwatch-demo").liveLine());
    }
}
