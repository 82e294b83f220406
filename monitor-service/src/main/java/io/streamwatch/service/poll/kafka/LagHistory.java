package io.streamwatch.service.poll.kafka;

import io.streamwatch.service.state.LagWindow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The last {@code window} lag samples of each consumer group, oldest first, for {@code
 * KafkaLagGrowing} (an app's samples live with the app, in state); kept across restarts by a {@link
 * io.streamwatch.service.state.LagArchive}. Written by the poll thread once per successful poll,
 * read by the alert engine every second; the lock is held only for these in-memory copies.
 */
final class LagHistory {
    private record Key(String label, String subject) {}

    private final int window;
    private final Map<Key, ArrayDeque<LagWindow.Sample>> samples = new LinkedHashMap<>();

    LagHistory(int window) {
        this.window = Math.max(1, window);
    }

    /**
     * Adds one sample per group of {@code report}; groups the report no longer has are forgotten.
     */
    synchronized void record(LagReport report) {
        Set<Key> present = new HashSet<>();
        add(present, "group", report.groups(), report.at());
        samples.keySet().retainAll(present);
    }

    /** Takes back the group windows of {@code stored} (kept before a restart), newest samples. */
    synchronized void restore(List<LagWindow> stored) {
        for (LagWindow w : stored) {
            if (!"group".equals(w.label()) || w.samples().isEmpty()) continue;
            List<LagWindow.Sample> s = w.samples();
            samples.put(
                    new Key("group", w.subject()),
                    new ArrayDeque<>(s.subList(Math.max(0, s.size() - window), s.size())));
        }
    }

    /**
     * The app windows of {@code stored} as the successive polls that took them, newest polls
     * aligned, at most {@code window}: replayed into the registry, they restore each app's samples.
     */
    static List<Map<String, LagWindow.Sample>> appPolls(List<LagWindow> stored, int window) {
        List<LagWindow> apps = stored.stream().filter(w -> "app".equals(w.label())).toList();
        int n = Math.min(window, apps.stream().mapToInt(w -> w.samples().size()).max().orElse(0));
        List<Map<String, LagWindow.Sample>> polls = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Map<String, LagWindow.Sample> poll = new LinkedHashMap<>();
            for (LagWindow w : apps) {
                int i = w.samples().size() - n + k;
                if (i >= 0) poll.put(w.subject(), w.samples().get(i));
            }
            polls.add(poll);
        }
        return polls;
    }

    /** One sample per app of {@code report} that has lag in some topic. */
    static Map<String, LagWindow.Sample> appSamples(LagReport report) {
        Map<String, LagWindow.Sample> out = new LinkedHashMap<>();
        report.apps()
                .forEach(
                        (app, topics) -> {
                            if (!topics.isEmpty()) out.put(app, sample(report.at(), topics));
                        });
        return out;
    }

    static LagWindow.Sample sample(long at, Map<String, TopicLag> topics) {
        Double seconds = LagCalculator.maxSeconds(topics);
        return new LagWindow.Sample(
                at,
                LagCalculator.totalRecords(topics),
                seconds,
                seconds != null && LagCalculator.secondsAtLeast(topics));
    }

    private void add(
            Set<Key> present, String label, Map<String, Map<String, TopicLag>> bySubject, long at) {
        bySubject.forEach(
                (subject, topics) -> {
                    if (topics.isEmpty()) return;
                    Key k = new Key(label, subject);
                    present.add(k);
                    ArrayDeque<LagWindow.Sample> q =
                            samples.computeIfAbsent(k, x -> new ArrayDeque<>(window + 1));
                    q.addLast(sample(at, topics));
                    while (q.size() > window) q.removeFirst();
                });
    }

    synchronized List<LagWindow> windows(long now) {
        List<LagWindow> out = new ArrayList<>(samples.size());
        samples.forEach(
                (k, q) -> out.add(new LagWindow(k.label(), k.subject(), new ArrayList<>(q), now)));
        return out;
    }
}
