package io.streamwatch.service.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.metrics.MetricCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The state store's health, commits and size, read at scrape time. */
public final class StoreMetrics {
    private StoreMetrics() {}

    public static void register(MeterRegistry meters, Store store) {
        MetricCatalogue.STORE_HEALTHY.gauge(meters, store, s -> s.healthy() ? 1 : 0);
        MetricCatalogue.STORE_COMMITS.functionCounter(meters, store, Store::commits);
        MetricCatalogue.STORE_CHANGES.functionCounter(meters, store, Store::changes);
        MetricCatalogue.STORE_SIZE.gauge(
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
