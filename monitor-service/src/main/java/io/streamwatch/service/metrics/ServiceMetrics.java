package io.streamwatch.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.streamwatch.service.state.AppRegistry;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's own health ({@code streamwatch_*}, JVM) as Micrometer meters, plus the per-app
 * collector's series, written ahead of them on every scrape.
 */
public final class ServiceMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Map<String, Counter> ingestRequests = new ConcurrentHashMap<>();
    private final Counter eventsAccepted;
    private final Counter eventsDuplicate;
    private final DistributionSummary requestBytes;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final AppMetricsCollector appCollector;

    public ServiceMetrics(AppRegistry apps, AppMetricsCollector appCollector) {
        // Micrometer reports process CPU time in nanoseconds ("process_cpu_time_ns_total"), which
        // promtool rejects as an abbreviated unit; export it in seconds, as Prometheus clients do.
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        // "system_cpu_count" reads to promtool as a histogram part; the core count is not worth a
        // lint exception.
        registry.config()
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("system.cpu.count")));
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            Meters.functionCounter(
                    MetricCatalogue.PROCESS_CPU, registry, os, o -> o.getProcessCpuTime() / 1e9);
        }
        this.appCollector = appCollector;
        Meters.functionCounter(
                MetricCatalogue.METRICS_RENDER_ERRORS,
                registry,
                appCollector,
                AppMetricsCollector::renderErrors);
        eventsAccepted = Meters.counter(MetricCatalogue.INGEST_EVENTS, registry, "accepted");
        eventsDuplicate = Meters.counter(MetricCatalogue.INGEST_EVENTS, registry, "duplicate");
        requestBytes = Meters.bytesSummary(MetricCatalogue.INGEST_REQUEST_SIZE, registry);
        Meters.gauge(MetricCatalogue.APPS, registry, apps, AppRegistry::size);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Counts one ingest request by outcome: ok, bad_request, unauthorized, too_large, unsupported,
     * too_many.
     */
    public void ingestRequest(String result) {
        ingestRequests
                .computeIfAbsent(
                        result, r -> Meters.counter(MetricCatalogue.INGEST_REQUESTS, registry, r))
                .increment();
    }

    public void ingested(int accepted, int duplicates, long bytes) {
        eventsAccepted.increment(accepted);
        eventsDuplicate.increment(duplicates);
        requestBytes.record(bytes);
    }

    /** Adds a collector that renders its own series at scrape time (e.g. Kafka lag). */
    public void register(io.prometheus.metrics.model.registry.MultiCollector collector) {
        registry.getPrometheusRegistry().register(collector);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * A rendered scrape in the format the {@code Accept} header asks for (text 0.0.4 unless
     * OpenMetrics is asked).
     */
    public record Scrape(String contentType, byte[] body) {}

    /** The whole scrape in memory (tests, small registries); the route uses {@link #write}. */
    public Scrape scrape(String accept) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        return new Scrape(write(accept, out), out.toByteArray());
    }

    /**
     * Writes the scrape to {@code out} in the format {@code accept} asks for (text 0.0.4 unless
     * OpenMetrics is asked; protobuf is not offered) and returns its content type. The per-app and
     * per-query series, nearly all of it, are streamed as they are read; the service's own health
     * and JVM series follow through the client library's writer (OpenMetrics' {@code # EOF} last).
     */
    public String write(String accept, OutputStream out) throws IOException {
        ExpositionFormatWriter writer = writer(accept);
        boolean openMetrics = writer instanceof OpenMetricsTextFormatWriter;
        BufferedOutputStream buffered = new BufferedOutputStream(out, 16 * 1024);
        TextWriter text = new TextWriter(buffered);
        appCollector.write(text, openMetrics);
        text.flush();
        writer.write(buffered, registry.getPrometheusRegistry().scrape());
        buffered.flush();
        return writer.getContentType();
    }

    /** The content type {@link #write} answers {@code accept} with. */
    public String contentType(String accept) {
        return writer(accept).getContentType();
    }

    private ExpositionFormatWriter writer(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        return writer instanceof OpenMetricsTextFormatWriter
                ? writer
                : formats.getPrometheusTextFormatWriter();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
