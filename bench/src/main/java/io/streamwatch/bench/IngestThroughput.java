package io.streamwatch.bench;

import io.streamwatch.testkit.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ingest_events_per_second}: many simulated drivers post batchCompleted events to a fresh
 * service jar over loopback, each with one request in flight (as the listener), {@value
 * #EVENTS_PER_REQUEST} events per request (the listener's largest request, what it sends while
 * catching up). Every {@value #RESEND_EVERY}th request re-sends the previous body (a lost
 * acknowledgement): those events must come back as duplicates and are not counted. Only
 * acknowledged events count, and the service acknowledges only what is committed to its store
 * (fsync), so the figure is durable, de-duplicated events per second.
 *
 * <p>Request bodies are generated and gzipped before the clock starts, so the load generator spends
 * the measured window on HTTP only; the service still pays for gunzip, parsing, validation, the
 * state update, rule evaluation and the durable commit.
 */
final class IngestThroughput {
    static final int EVENTS_PER_REQUEST = 500;
    static final int RESEND_EVERY = 10;

    record Run(
            double eventsPerSecond,
            long accepted,
            long duplicates,
            long requests,
            double seconds,
            int drivers,
            long serviceAccepted,
            long serviceDuplicates,
            long errors,
            double serviceCores) {}

    private IngestThroughput() {}

    static Run run(Path dir, int drivers, double windowSeconds, Log log) throws Exception {
        String token = "bench-ingest-" + System.nanoTime();
        try (ServiceProcess service =
                        ServiceProcess.in(dir)
                                .token(token)
                                .jvmArgs("-Xmx1g")
                                .requestTimeout(Duration.ofSeconds(60))
                                .yaml("")
                                .start();
                IngestClient client = new IngestClient(service.url(), token, drivers, 4)) {
            long now = System.currentTimeMillis();
            List<SimulatedDriver> sims = new ArrayList<>();
            for (int i = 0; i < drivers; i++) {
                // batch times in the past, 1 s apart: a long backlog each driver catches up on
                sims.add(new SimulatedDriver("ingest-driver-" + i, now - 30L * 86_400_000L));
            }
            // Warm-up (JIT, connections, SQLite) and calibration, generating on the fly.
            Run warm = drive(client, sims, 5, null);
            log.info(
                    "ingest warm-up: %.0f events/s with %d drivers",
                    warm.eventsPerSecond(), drivers);
            double budgetRate = Math.max(warm.eventsPerSecond() * 4, 150_000);
            int perDriver =
                    (int) Math.ceil(budgetRate * windowSeconds / drivers / EVENTS_PER_REQUEST);
            List<List<byte[]>> bodies = new ArrayList<>();
            long sent = System.currentTimeMillis();
            for (SimulatedDriver d : sims) {
                List<byte[]> list = new ArrayList<>();
                byte[] previous = null;
                for (int r = 0; r < perDriver; r++) {
                    if (previous != null && r % RESEND_EVERY == RESEND_EVERY - 1) {
                        list.add(previous);
                    } else {
                        previous = d.completedBatches(EVENTS_PER_REQUEST, sent);
                        list.add(previous);
                    }
                }
                bodies.add(list);
            }
            String before = service.metrics();
            double cpu0 = Machine.cpuSeconds(service.pid());
            Run measured = drive(client, sims, windowSeconds, bodies);
            double cores = (Machine.cpuSeconds(service.pid()) - cpu0) / measured.seconds();
            String after = service.metrics();
            long svcAccepted =
                    (long)
                            (ServiceProcess.sample(
                                            after,
                                            "streamwatch_ingest_events_total",
                                            "result=\"accepted\"")
                                    - ServiceProcess.sample(
                                            before,
                                            "streamwatch_ingest_events_total",
                                            "result=\"accepted\""));
            long svcDup =
                    (long)
                            (ServiceProcess.sample(
                                            after,
                                            "streamwatch_ingest_events_total",
                                            "result=\"duplicate\"")
                                    - ServiceProcess.sample(
                                            before,
                                            "streamwatch_ingest_events_total",
                                            "result=\"duplicate\""));
            return new Run(
                    measured.eventsPerSecond(),
                    measured.accepted(),
                    measured.duplicates(),
                    measured.requests(),
                    measured.seconds(),
                    drivers,
                    svcAccepted,
                    svcDup,
                    measured.errors(),
                    cores);
        }
    }

    /**
     * Every driver posts its next body as soon as the previous one is answered, for {@code seconds}
     * or until the first driver runs out of pre-built bodies. Counts what was answered within that
     * window.
     */
    private static Run drive(
            IngestClient client,
            List<SimulatedDriver> sims,
            double seconds,
            List<List<byte[]>> bodies) {
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        AtomicLong end = new AtomicLong(deadline);
        AtomicLong accepted = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int i = 0; i < sims.size(); i++) {
            SimulatedDriver d = sims.get(i);
            List<byte[]> list = bodies == null ? null : bodies.get(i);
            loops.add(
                    loop(
                            client,
                            d,
                            list,
                            0,
                            deadline,
                            end,
                            accepted,
                            duplicates,
                            requests,
                            errors));
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
        double elapsed = (Math.min(end.get(), deadline) - start) / 1e9;
        return new Run(
                accepted.get() / elapsed,
                accepted.get(),
                duplicates.get(),
                requests.get(),
                elapsed,
                sims.size(),
                0,
                0,
                errors.get(),
                Double.NaN);
    }

    private static CompletableFuture<Void> loop(
            IngestClient client,
            SimulatedDriver d,
            List<byte[]> list,
            int index,
            long deadline,
            AtomicLong end,
            AtomicLong accepted,
            AtomicLong duplicates,
            AtomicLong requests,
            AtomicLong errors) {
        long now = System.nanoTime();
        if (now >= Math.min(deadline, end.get())) return CompletableFuture.completedFuture(null);
        if (list != null && index >= list.size()) {
            end.accumulateAndGet(now, Math::min); // out of bodies: the window closes for everyone
            return CompletableFuture.completedFuture(null);
        }
        byte[] body =
                list != null
                        ? list.get(index)
                        : d.completedBatches(EVENTS_PER_REQUEST, System.currentTimeMillis());
        // a 503 (the service's concurrency cap) is sent again after 1 s, as the listener does;
        // the wait counts against the throughput
        return ScaleBenchmark.postRetrying(client, body)
                .thenCompose(
                        a -> {
                            if (System.nanoTime() <= Math.min(deadline, end.get())) {
                                requests.incrementAndGet();
                                accepted.addAndGet(a.accepted());
                                duplicates.addAndGet(a.duplicates());
                                if (a.status() != 200) errors.incrementAndGet();
                            }
                            return loop(
                                    client,
                                    d,
                                    list,
                                    index + 1,
                                    deadline,
                                    end,
                                    accepted,
                                    duplicates,
                                    requests,
                                    errors);
                        });
    }

    static Map<String, Object> describe(Run r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("events_per_second", Stats.round(r.eventsPerSecond()));
        m.put("accepted", r.accepted());
        m.put("duplicates", r.duplicates());
        m.put("requests", r.requests());
        m.put("seconds", Stats.round(r.seconds()));
        m.put("drivers", r.drivers());
        m.put("events_per_request", EVENTS_PER_REQUEST);
        m.put("service_accepted_counter_delta", r.serviceAccepted());
        m.put("service_duplicate_counter_delta", r.serviceDuplicates());
        m.put("service_cpu_cores", Stats.round(r.serviceCores()));
        m.put("errors", r.errors());
        return m;
    }
}
