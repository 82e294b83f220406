package io.streamwatch.service.poll.kafka;

import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.QueryKafkaProgress;
import io.streamwatch.service.state.QuerySnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka lag of Structured Streaming queries, which never commit offsets: the end offsets of each
 * query's newest micro-batch against the broker's end offsets, read by the same poll (and the same
 * Admin requests) as the apps' and groups' lag, with the same seconds estimate. Each successful
 * poll hands every query's lag to a {@link QueryLagSink}, and tells it to forget the queries it no
 * longer measures. Owned by the poll thread.
 */
final class QueryLag {
    private static final Logger log = LoggerFactory.getLogger(KafkaLagPoller.class);

    private record Key(String app, String query) {}

    private final Supplier<List<QueryKafkaProgress>> positions;
    private final QueryLagSink sink;
    private final int window;
    private Set<Key> published = Set.of();
    private boolean failing;

    QueryLag(Supplier<List<QueryKafkaProgress>> positions, QueryLagSink sink, int window) {
        this.positions = positions;
        this.sink = sink;
        this.window = window;
    }

    /** Where each query's newest micro-batch had read up to; none when state cannot say. */
    List<QueryKafkaProgress> positions() {
        try {
            List<QueryKafkaProgress> p = positions.get();
            failing = false;
            return p == null ? List.of() : p;
        } catch (RuntimeException e) {
            // A state failure must not read as Kafka being down: measure the apps and groups.
            if (!failing)
                log.warn("Kafka lag: queries' positions unavailable, skipped: {}", e.toString());
            failing = true;
            return List.of();
        }
    }

    /** Lag per app, query and topic; a topic whose offsets are not all known is left out. */
    static Map<String, Map<String, Map<String, TopicLag>>> lag(
            List<QueryKafkaProgress> positions,
            LagCalculator.Offsets offsets,
            LagSecondsEstimator estimator) {
        Map<String, Map<String, Map<String, TopicLag>>> out = new TreeMap<>();
        for (QueryKafkaProgress p : positions) {
            out.computeIfAbsent(p.app(), a -> new TreeMap<>())
                    .put(p.query(), LagCalculator.lag(p.offsets(), offsets, estimator));
        }
        return out;
    }

    /** Hands {@code report}'s query lag to the sink; queries it no longer has are forgotten. */
    void publish(LagReport report) {
        Set<Key> now = new HashSet<>();
        report.queries()
                .forEach(
                        (app, queries) ->
                                queries.forEach(
                                        (query, topics) -> {
                                            if (topics.isEmpty()) return;
                                            now.add(new Key(app, query));
                                            push(app, query, topics, report.at());
                                        }));
        for (Key k : published) {
            if (!now.contains(k)) forget(k);
        }
        published = now;
    }

    private void push(String app, String query, Map<String, TopicLag> topics, long at) {
        List<QuerySnapshot.TopicLag> lag = new ArrayList<>(topics.size());
        topics.forEach((t, l) -> lag.add(new QuerySnapshot.TopicLag(t, l.records(), l.seconds())));
        deliver(app, query, lag, LagHistory.sample(at, topics));
    }

    private void forget(Key k) {
        deliver(k.app(), k.query(), List.of(), null);
    }

    private void deliver(
            String app, String query, List<QuerySnapshot.TopicLag> lag, LagWindow.Sample sample) {
        try {
            sink.queryKafkaLag(app, query, lag, sample, window);
        } catch (RuntimeException e) {
            // One query's state must not stop the others' lag, nor read as Kafka being down.
            log.warn(
                    "Kafka lag of query '{}' of app '{}' not stored: {}", query, app, e.toString());
        }
    }
}
