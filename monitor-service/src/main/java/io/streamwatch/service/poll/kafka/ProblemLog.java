package io.streamwatch.service.poll.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a problem with one consumer group or topic once (again only if it changes), and forgets it
 * once it is gone, so a poll every few seconds does not repeat it. Never lets a value of {@code
 * kafka.properties} (which may hold credentials) reach the log. Owned by the poll thread.
 */
final class ProblemLog {
    private static final Logger log = LoggerFactory.getLogger(KafkaLagPoller.class);
    static final String NOTHING_COMMITTED = "has no committed offsets (yet): no lag series for it";

    private final Collection<String> secrets;
    private final Map<String, String> reported = new HashMap<>();

    ProblemLog(Collection<String> secrets) {
        this.secrets = secrets;
    }

    /** The problems of this poll for every subject of one kind ("consumer group", "topic"). */
    void report(String kind, Iterable<String> subjects, Map<String, String> problems) {
        Set<String> seen = new HashSet<>();
        for (String s : subjects) {
            seen.add(s);
            String p = problems.get(s);
            if (p != null) problem(kind, s, p);
            else reported.remove(kind + " " + s);
        }
        reported.keySet()
                .removeIf(
                        k ->
                                k.startsWith(kind + " ")
                                        && !seen.contains(k.substring(kind.length() + 1)));
    }

    private void problem(String kind, String subject, String message) {
        String key = kind + " " + subject;
        String m = redact(message);
        if (m.equals(reported.put(key, m))) return;
        if (m.equals(NOTHING_COMMITTED)) log.info("Kafka lag: {} '{}' {}", kind, subject, m);
        else log.warn("Kafka lag: {} '{}': {}", kind, subject, m);
    }

    /** {@code message} with every value of {@code kafka.properties} hidden. */
    String redact(String message) {
        if (message == null) return "";
        String out = message;
        for (String v : secrets) {
            if (v != null && v.length() >= 4) out = out.replace(v, "[hidden]");
        }
        return out;
    }
}
