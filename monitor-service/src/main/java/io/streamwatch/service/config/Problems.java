package io.streamwatch.service.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Every problem found in a configuration, in the order found; at most one per key. */
final class Problems {
    private static final Set<String> FROM_ENVIRONMENT =
            ConfigKeys.leaves().stream()
                    .filter(l -> l.key().fromEnvironment())
                    .map(ConfigKeys.Leaf::path)
                    .collect(Collectors.toSet());

    private final List<String> messages = new ArrayList<>();
    private final Set<String> keys = new HashSet<>();

    /** A problem of the file as a whole, or one whose message already names its key. */
    void add(String message) {
        messages.add(message);
    }

    /**
     * A problem with one key's value, e.g. {@code alerting.slowBatches (env
     * STREAMWATCH_ALERTING_SLOW_BATCHES): must be at least 1, got 0}. The environment variable is
     * named when one can set this key.
     */
    void add(String path, String message) {
        if (!keys.add(path)) return;
        String env =
                FROM_ENVIRONMENT.contains(path) ? " (env " + ConfigKeys.envName(path) + ")" : "";
        messages.add(path + env + ": " + message);
    }

    /** Whether a problem was already reported for this key (a later check would only repeat it). */
    boolean has(String path) {
        return keys.contains(path);
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    List<String> list() {
        return List.copyOf(messages);
    }
}
