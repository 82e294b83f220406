package io.streamwatch.service.poll.kafka;

import io.streamwatch.service.rules.LagWindow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The last {@code window} lag samples of each app and each consumer group, oldest first, for
 * {@code KafkaLagGrowing}. Written by the poll thread once per successful poll, read by the alert
 * engine every second; the lock is held only for these in-memory copies.
 */
final class LagHistory {
    private record Key(String label, String subject) {}

    private final int window;
    private final Map<Key, ArrayDeque<LagWindow.Sample>> samples = new LinkedHashMap<>();

    LagHistory(int window) {
        this.window = Math.max(1, window);
    }

    /** Adds one sample per subject of {@code report}; subjects the report no longer has are forgotten. */
    synchronized void record(LagReport report) {
        Set<Key> present = new HashSet<>();
        add(present, "group", report.groups(), report.at());
        add(present, "app", report.apps(), report.at());
        samples.keySet().retainAll(present);
    }

    private void add(Set<Key> present, String label, Map<String, Map<String, TopicLag>> bySubject, long at) {
        bySubject.forEach((subject, topics) -> {
            if (topics.isEmpty()) return;
            Key k = new Key(label, subject);
            present.add(k);
            ArrayDeque<LagWindow.Sample> q = samples.computeIfAbsent(k, x -> new ArrayDeque<>(window + 1));
            q.addLast(new LagWindow.Sample(at, LagCalculator.totalRecords(topics), LagCalculator.maxSeconds(topics)));
            while (q.size() > window) q.removeFirst();
        });
    }

    synchronized List<LagWindow> windows(long now) {
        List<LagWindow> out = new ArrayList<>(samples.size());
        samples.forEach((k, q) -> out.add(new LagWindow(k.label(), k.subject(), new ArrayList<>(q), now)));
        return out;
    }
}
