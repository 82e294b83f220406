package io.streamwatch.service.notify;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fingerprint of a label set exactly as Prometheus and Alertmanager compute it ({@code
 * model.LabelSet.Fingerprint}: FNV-1a 64 over the sorted names and values, each followed by the
 * byte 0xff, printed as 16 hex digits), so the webhook's {@code fingerprint} is the one
 * Alertmanager would show for the same alert.
 */
final class Fingerprint {
    private static final long OFFSET_64 = 0xcbf29ce484222325L;
    private static final long PRIME_64 = 0x100000001b3L;
    private static final int SEPARATOR = 0xff;

    private Fingerprint() {}

    static String of(Map<String, String> labels) {
        long hash = OFFSET_64;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            hash = add(hash, e.getKey());
            hash = addByte(hash, SEPARATOR);
            hash = add(hash, e.getValue());
            hash = addByte(hash, SEPARATOR);
        }
        return String.format("%016x", hash);
    }

    private static long add(long hash, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            hash = addByte(hash, b & 0xff);
        }
        return hash;
    }

    private static long addByte(long hash, int b) {
        return (hash ^ b) * PRIME_64;
    }
}
