package io.streamwatch.service.poll.kafka;

import io.streamwatch.service.config.Durations;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.KafkaProgress;
import io.streamwatch.service.state.LagArchive;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.QueryKafkaProgress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls Kafka lag every {@code kafka.pollInterval}: of the consumer groups in {@code
 * kafka.consumerGroups} (their committed offsets), of every Spark app whose listener reports Kafka
 * direct-stream offsets (the offsets its newest completed batch processed, which works for apps
 * that never commit) and of every Structured Streaming query with a Kafka source (the end offsets
 * of its newest micro-batch; see {@link QueryLag}). Each poll is a handful of batched Admin
 * requests, whatever the number of partitions: describeCluster, listConsumerGroupOffsets,
 * describeTopics, and listOffsets for the end (and, where needed, start) offsets.
 *
 * <p>A cluster that does not answer sets {@code streamwatch_kafka_up} to 0 and is logged once;
 * polling goes on at the same pace and the recovery is logged once too. The service's health does
 * not depend on Kafka. One daemon thread polls; nothing holds a lock across a Kafka request.
 */
public final class KafkaLagPoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaLagPoller.class);

    /**
     * What the collector renders.
     *
     * @param up whether the last poll reached the cluster
     * @param lastPollSeconds duration of the last poll, NaN before the first
     * @param report lag found by the last successful poll, null before the first
     */
    record Status(
            boolean up, double lastPollSeconds, long pollsOk, long pollsFailed, LagReport report) {}

    private final ServiceConfig.Kafka config;
    private final AppRegistry registry;
    private final Clock clock;
    private final Supplier<KafkaOffsets> clients;
    private final LagSecondsEstimator estimator;
    private final LagHistory history;
    private final QueryLag queries;
    private final int window;
    private final ScheduledExecutorService executor;
    private volatile Status status = new Status(false, Double.NaN, 0, 0, null);
    private volatile LagArchive archive;

    // Owned by the poll thread.
    private KafkaOffsets client;
    private boolean down;
    private final ProblemLog problems;

    /**
     * The service's poller: consumer groups, apps and Structured Streaming queries, the queries'
     * positions read from and their lag handed back to {@code registry}.
     */
    public KafkaLagPoller(
            ServiceConfig.Kafka config,
            int window,
            AppRegistry registry,
            ServiceMetrics metrics,
            Clock clock) {
        this(
                config,
                window,
                registry,
                metrics,
                clock,
                registry::queryKafkaProgress,
                registry::queryKafkaLag);
    }

    /**
     * @param queries where each query's newest micro-batch had read up to, asked at every poll
     *     ({@code AppRegistry::queryKafkaProgress})
     * @param queryLag where each query's measured lag goes ({@code AppRegistry::queryKafkaLag})
     */
    public KafkaLagPoller(
            ServiceConfig.Kafka config,
            int window,
            AppRegistry registry,
            ServiceMetrics metrics,
            Clock clock,
            Supplier<List<QueryKafkaProgress>> queries,
            QueryLagSink queryLag) {
        this(
                config,
                window,
                registry,
                metrics,
                clock,
                queries,
                queryLag,
                () -> AdminKafkaOffsets.create(config));
    }

    /**
     * @param clients creates the cluster client; called on the poll thread, again after a failed
     *     creation
     */
    KafkaLagPoller(
            ServiceConfig.Kafka config,
            int window,
            AppRegistry registry,
            ServiceMetrics metrics,
            Clock clock,
            Supplier<List<QueryKafkaProgress>> queries,
            QueryLagSink queryLag,
            Supplier<KafkaOffsets> clients) {
        this.config = config;
        this.registry = registry;
        this.clock = clock;
        this.clients = clients;
        long interval = config.pollInterval().toMillis();
        this.estimator = new LagSecondsEstimator(Math.max(10 * interval, 60_000));
        this.history = new LagHistory(window);
        this.queries = new QueryLag(queries, queryLag, window);
        this.problems = new ProblemLog(config.properties().values().values());
        this.window = window;
        this.executor =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "streamwatch-kafka-lag");
                            t.setDaemon(true);
                            return t;
                        });
        metrics.register(new KafkaLagCollector(this::status));
    }

    public KafkaLagPoller start() {
        log.info(
                "Kafka lag: polling {} every {} for consumer groups {}, Spark apps' Kafka direct streams and queries' Kafka sources{}",
                config.bootstrapServers(),
                Durations.format(config.pollInterval()),
                config.consumerGroups(),
                config.properties().values().isEmpty()
                        ? ""
                        : " (client properties " + config.properties().values().keySet() + ")");
        executor.scheduleWithFixedDelay(
                this::pollSafely, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Restores the lag samples {@code archive} kept (call before {@link #start()}), so the lag
     * rules see the windows they saw before a restart, and keeps them there after every poll.
     */
    public void archiveTo(LagArchive archive) {
        List<LagWindow> stored = archive.load();
        history.restore(stored);
        for (Map<String, LagWindow.Sample> poll : LagHistory.appPolls(stored, window))
            registry.kafkaLag(poll, window);
        this.archive = archive;
    }

    /**
     * Recent lag per consumer group and per app (kept by the registry), oldest sample first, for
     * the alert engine.
     */
    public List<LagWindow> lagWindows() {
        List<LagWindow> out = new ArrayList<>(history.windows(clock.millis()));
        out.addAll(registry.lagWindows());
        return out;
    }

    Status status() {
        return status;
    }

    private void pollSafely() {
        try {
            pollOnce();
        } catch (Throwable t) {
            // Never let the scheduled task die: it would stop polling for good, silently.
            log.error("Kafka lag poll failed unexpectedly; polling continues", t);
        }
    }

    /**
     * One poll: gathers offsets, computes lag, publishes it. Runs on the poll thread (tests call it
     * directly).
     */
    void pollOnce() {
        long started = System.nanoTime();
        Status before = status;
        try {
            LagReport report = gather();
            history.record(report);
            registry.kafkaLag(LagHistory.appSamples(report), window);
            queries.publish(report);
            archive();
            status =
                    new Status(
                            true,
                            seconds(started),
                            before.pollsOk() + 1,
                            before.pollsFailed(),
                            report);
            if (down)
                log.info(
                        "Kafka at {} answers again; lag polling has recovered",
                        config.bootstrapServers());
            down = false;
        } catch (KafkaOffsets.Unreachable | RuntimeException e) {
            status =
                    new Status(
                            false,
                            seconds(started),
                            before.pollsOk(),
                            before.pollsFailed() + 1,
                            null);
            if (!down) {
                log.warn(
                        "Kafka at {} {} ({}): streamwatch_kafka_up is 0 and lag is not reported until it answers; "
                                + "retrying every {} (logged once, not per poll)",
                        config.bootstrapServers(),
                        e instanceof KafkaOffsets.Unreachable
                                ? "is unreachable"
                                : "cannot be polled",
                        problems.redact(describe(e)),
                        Durations.format(config.pollInterval()));
                if (e instanceof RuntimeException) log.debug("Kafka lag poll failure", e);
            }
            down = true;
            if (e instanceof RuntimeException && client != null) {
                // An unexpected client failure: start over with a fresh client next time.
                closeClient();
            }
        }
    }

    private void archive() {
        LagArchive a = archive;
        if (a == null) return;
        try {
            a.save(lagWindows());
        } catch (RuntimeException e) {
            log.warn("Kafka lag history not stored (kept in memory): {}", e.getMessage());
        }
    }

    private LagReport gather() throws KafkaOffsets.Unreachable {
        if (client == null) client = clients.get();
        KafkaOffsets c = client;
        c.ping();

        List<String> groups = config.consumerGroups();
        Map<String, Map<String, Map<Integer, Long>>> committed = new TreeMap<>();
        if (!groups.isEmpty()) {
            KafkaOffsets.Answer<Map<String, Map<Integer, Long>>> a = c.committed(groups);
            Map<String, String> groupProblems = new TreeMap<>(a.problems());
            a.values()
                    .forEach(
                            (g, byTopic) -> {
                                if (byTopic.isEmpty())
                                    groupProblems.put(g, ProblemLog.NOTHING_COMMITTED);
                            });
            problems.report("consumer group", groups, groupProblems);
            committed.putAll(a.values());
        }
        Map<String, KafkaProgress> apps = new TreeMap<>();
        for (KafkaProgress p : registry.kafkaProgress()) apps.put(p.app(), p);
        List<QueryKafkaProgress> queried = queries.positions();

        Set<String> topics = new TreeSet<>();
        committed.values().forEach(byTopic -> topics.addAll(byTopic.keySet()));
        apps.values().forEach(p -> topics.addAll(p.offsets().keySet()));
        queried.forEach(q -> topics.addAll(q.offsets().keySet()));
        KafkaOffsets.Answer<List<Integer>> partitions =
                topics.isEmpty()
                        ? new KafkaOffsets.Answer<>(Map.of(), Map.of())
                        : c.partitions(topics);
        problems.report("topic", topics, partitions.problems());

        List<TopicPartition> all = new ArrayList<>();
        partitions
                .values()
                .forEach((t, parts) -> parts.forEach(p -> all.add(new TopicPartition(t, p))));
        Set<TopicPartition> needStart = new LinkedHashSet<>();
        committed
                .values()
                .forEach(byTopic -> unpositioned(byTopic, partitions.values(), needStart));
        apps.values().forEach(p -> unpositioned(p.offsets(), partitions.values(), needStart));
        queried.forEach(q -> unpositioned(q.offsets(), partitions.values(), needStart));

        Map<TopicPartition, Long> end = c.endOffsets(all);
        Map<TopicPartition, Long> start = c.startOffsets(needStart);
        long at = clock.millis();
        estimator.observe(end, at);

        LagCalculator.Offsets offsets =
                new LagCalculator.Offsets(partitions.values(), end, start, at);
        Map<String, Map<String, TopicLag>> groupLag = new TreeMap<>();
        committed.forEach(
                (g, positions) ->
                        groupLag.put(g, LagCalculator.lag(positions, offsets, estimator)));
        Map<String, Map<String, TopicLag>> appLag = new TreeMap<>();
        apps.forEach(
                (app, p) -> appLag.put(app, LagCalculator.lag(p.offsets(), offsets, estimator)));
        return new LagReport(at, groupLag, appLag, QueryLag.lag(queried, offsets, estimator));
    }

    /**
     * Adds the partitions of the consumer's topics it has no position for: they count from the log
     * start.
     */
    private static void unpositioned(
            Map<String, Map<Integer, Long>> positions,
            Map<String, List<Integer>> partitions,
            Set<TopicPartition> out) {
        positions.forEach(
                (topic, byPartition) -> {
                    for (int p : partitions.getOrDefault(topic, List.of())) {
                        if (!byPartition.containsKey(p)) out.add(new TopicPartition(topic, p));
                    }
                });
    }

    private static String describe(Exception e) {
        return e instanceof KafkaOffsets.Unreachable
                ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private void closeClient() {
        KafkaOffsets c = client;
        client = null;
        try {
            if (c != null) c.close();
        } catch (RuntimeException e) {
            log.debug("closing the Kafka client failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(
                    config.requestTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS)) {
                log.warn(
                        "Kafka lag poll did not stop within {}",
                        Durations.format(config.requestTimeout()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeClient();
        LagArchive a = archive;
        if (a != null) a.close();
    }
}
