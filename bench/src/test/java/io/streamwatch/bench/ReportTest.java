package io.streamwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static BenchMain.Results toyResults() {
        BenchMain.Results r = new BenchMain.Results(true, "bench/run.sh --quick");
        r.figure("listener_enqueue_ns_p50", Stats.of(List.of(80, 90, 85)), "ns");
        r.figure("listener_dropped_spark_events", Stats.of(List.of(0, 0, 3)), "events");
        r.figure("ingest_events_per_second", Stats.of(List.of(40_000, 45_000)), "events/s");
        r.failed("kafka", new IllegalStateException("no broker"));
        r.finish(12.5);
        return r;
    }

    @Test
    void latestJsonHasExactlyTheIssueKeysAndSaysWhatWasNotMeasured() {
        Map<String, Object> json = toyResults().json();
        for (String key : BenchMain.Results.KEYS) assertTrue(json.containsKey(key), key);
        assertEquals(85.0, json.get("listener_enqueue_ns_p50"));
        assertEquals(null, json.get("kafka_lag_poll_ms_5000_partitions"));
        @SuppressWarnings("unchecked")
        Map<String, Object> notMeasured = (Map<String, Object>) json.get("not_measured");
        assertTrue(
                notMeasured
                        .get("kafka_lag_poll_ms_5000_partitions")
                        .toString()
                        .contains("no broker"));
    }

    @Test
    void aZeroTargetMustHoldInEveryRunNotJustTheMedian() {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> targets =
                (Map<String, Map<String, Object>>) toyResults().json().get("targets");
        assertEquals("missed", targets.get("listener_dropped_spark_events").get("verdict"));
        assertEquals("met", targets.get("listener_enqueue_ns_p50").get("verdict"));
        assertEquals("missed", targets.get("ingest_events_per_second").get("verdict"));
        assertEquals("not measured", targets.get("heap_mb_5000_apps").get("verdict"));
    }

    @Test
    void theDocsTableIsRegeneratedBetweenItsMarkersAndTheProseIsKept(@TempDir Path dir)
            throws Exception {
        Path docs = dir.resolve("BENCHMARKS.md");
        Files.writeString(
                docs,
                "# Benchmarks\n\nprose before\n\n"
                        + Report.BEGIN
                        + "\nold table\n"
                        + Report.END
                        + "\n\nprose after\n");
        Report.update(docs, toyResults().json());
        Report.update(docs, toyResults().json());
        String text = Files.readString(docs);
        assertTrue(text.contains("prose before") && text.contains("prose after"), text);
        assertTrue(!text.contains("old table"), text);
        assertEquals(
                text.indexOf(Report.BEGIN), text.lastIndexOf(Report.BEGIN), "one results block");
        assertTrue(text.contains("| `ingest_events_per_second` |"), text);
        assertTrue(text.contains("Quick run"), text);
    }
}
