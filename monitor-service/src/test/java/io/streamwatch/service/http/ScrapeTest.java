package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.metrics.Series;
import io.streamwatch.service.store.Store;
import io.streamwatch.testkit.Events;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a real scrape of the running service contains. */
class ScrapeTest {
    @TempDir Path dir;

    /** Series the JVM and process binders add; everything else must be in the catalogue. */
    private static final List<String> BINDER_PREFIXES = List.of("jvm_", "process_", "system_");

    private static TreeSet<String> families(String exposition) {
        TreeSet<String> out = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ")) out.add(line.split(" ")[2]);
        }
        return out;
    }

    private static boolean catalogued(String family) {
        for (Series m : MetricCatalogue.all()) {
            if (family.equals(m.exposedName())) return true;
            if (m.type() == MetricCatalogue.Type.SUMMARY && family.equals(m.baseName() + "_max")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everySeriesTheServiceExportsIsInTheCatalogue() throws Exception {
        try (LoopbackService s =
                LoopbackService.start(
                        "scrape",
                        Map.of(
                                "STREAMWATCH_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                                "STREAMWATCH_KAFKA_POLL_INTERVAL", "1s"))) {
            long t = s.clock.millis();
            s.ingest(
                    Events.from("orders", "app-1")
                            .streamingStarted(t - 5000, 1000)
                            .completed(t - 3000, 5, 200, 10, null)
                            .completed(t - 2000, 5, 200, 10, "boom"));
            s.ingest("{not json");
            String metrics = s.get("/metrics", null).body();
            assertTrue(
                    metrics.contains("spark_streaming_records_total{app=\"orders\"} 20"), metrics);

            TreeSet<String> unknown = new TreeSet<>();
            for (String f : families(metrics)) {
                if (BINDER_PREFIXES.stream().noneMatch(f::startsWith) && !catalogued(f)) {
                    unknown.add(f);
                }
            }
            assertEquals(new TreeSet<>(), unknown, "exported but not in MetricCatalogue");
        }
    }

    /**
     * An app whose stored totals cannot be rendered (a negative counter, as an overflow in an
     * earlier release could leave them, or a damaged record) is left out of the scrape; every other
     * app still is, and the scrape says how many were left out.
     */
    @Test
    void oneAppsUnrenderableDataDoesNotTakeMetricsDownForTheOthers() throws Exception {
        long now = System.currentTimeMillis();
        String broken =
                ("{'version':1,'app':'broken','firstSeen':%d,'appId':'app-b','attemptId':null,"
                                + "'appName':null,'sparkVersion':'3.5.3','uiUrl':null,'host':null,"
                                + "'instance':'i','listenerVersion':null,'startTime':null,'endTime':null,"
                                + "'finished':false,'batchIntervalMs':1000,'inferredIntervalMs':null,"
                                + "'lastSeen':%d,'lastProgressAt':%d,'hasListener':true,'kafkaOffsets':{},"
                                + "'kafkaOffsetsBatchTime':0,'kafkaOffsetsObservedAt':0,'receiverErrorAt':0,"
                                + "'receiverError':null,'restarts':0,'batchesCompleted':-3,'batchesFailed':0,"
                                + "'recordsTotal':-4611686018427387904,'receiverErrors':0,'receivers':[],"
                                + "'processingTime':null,'totalDelay':null,'watermarks':{},'knownRuns':['app-b'],"
                                + "'eventsDropped':0,'eventsLost':0,'duplicateEvents':0}")
                        .formatted(now, now, now)
                        .replace('\'', '"');
        Path storage = dir.resolve("data");
        try (Store store = Store.open(storage)) {
            store.submit(Store.Change.app("broken", broken, List.of())).get(10, TimeUnit.SECONDS);
        }
        try (LoopbackService s =
                LoopbackService.start(
                        "scrape-broken", Map.of("STREAMWATCH_STORAGE_DIR", storage.toString()))) {
            long t = s.clock.millis();
            s.ingest(
                    Events.from("healthy", "app-h")
                            .streamingStarted(t - 5000, 1000)
                            .completed(t - 2000, 5, 200, 7, null));

            LoopbackService.Response first = s.get("/metrics", null);
            LoopbackService.Response second = s.get("/metrics", null);
            assertEquals(200, first.status(), first.toString());
            assertEquals(200, second.status(), "and on every later scrape");
            assertTrue(first.body().contains("spark_streaming_records_total{app=\"healthy\"} 7"));
            assertFalse(
                    first.body().contains("app=\"broken\""),
                    "the broken app is left out whole, not half rendered");
            double leftOut =
                    Arrays.stream(second.body().split("\n"))
                            .filter(l -> l.startsWith("streamwatch_metrics_render_errors_total"))
                            .mapToDouble(
                                    l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                            .findFirst()
                            .orElseThrow();
            assertTrue(leftOut >= 1, "render errors counted: " + leftOut);
            assertTrue(
                    s.get("/api/v1/apps/broken", LoopbackService.READER).status() == 200,
                    "the app itself is still known");
        }
    }
}
