package io.streamwatch.service.rules;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The most recently resolved alerts, newest first, for {@code GET /api/v1/alerts?state=all}. */
final class ResolvedHistory {
    static final int KEPT = 1000;

    private final Deque<AlertView> resolved = new ArrayDeque<>();

    synchronized void add(AlertView v) {
        resolved.addFirst(v);
        while (resolved.size() > KEPT) resolved.removeLast();
    }

    synchronized List<AlertView> list() {
        return List.copyOf(resolved);
    }
}
