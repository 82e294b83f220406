package io.streamwatch.service.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.metrics.Meters;
import io.streamwatch.service.metrics.MetricCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The state store's health, commits and size, read at scrape time. */
public final class StoreMetrics {
    private StoreMetrics() {}

    public static void register(MeterRegistry meters, Store store) {
        Meters.gauge(MetricCatalogue.STORE_HEALTHY, meters, store, s -> s.healthy() ? 1 : 0);
        Meters.functionCounter(MetricCatalogue.STORE_COMMITS, meters, store, Store::commits);
        Meters.functionCounter(MetricCatalogue.STORE_CHANGES, meters, store, Store::changes);
        Meters.gauge(
                MetricCatalogue.STORE_SIZE,
                meters,
                store,
                s ->
                        size(s.file())
                                + size(s.file().resolveSibling(s.file().getFileName() + "-wal")));
    }

    private static double size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
