package io.streamwatch.service.poll.kafka;

import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.QuerySnapshot;
import java.util.List;

/**
 * Where the poller leaves the Kafka lag it measured for one Structured Streaming query ({@code
 * AppRegistry::queryKafkaLag}). Called on the poll thread after each successful poll.
 */
@FunctionalInterface
public interface QueryLagSink {
    /**
     * @param lag per topic, for the query's snapshot; empty to forget it
     * @param sample summed over the topics, for the rules' window of {@code window} samples; null
     *     to forget the window (the query no longer reads Kafka, or its topics cannot be measured)
     */
    void queryKafkaLag(
            String app,
            String query,
            List<QuerySnapshot.TopicLag> lag,
            LagWindow.Sample sample,
            int window);

    /** Keeps nothing: for a poller that watches no queries. */
    QueryLagSink NONE = (app, query, lag, sample, window) -> {};
}
