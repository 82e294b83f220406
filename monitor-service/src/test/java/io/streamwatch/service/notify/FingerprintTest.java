package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected values are Prometheus' own (prometheus/common model/signature_test.go). */
class FingerprintTest {
    private static String hex(String unsignedDecimal) {
        return String.format("%016x", Long.parseUnsignedLong(unsignedDecimal));
    }

    @Test
    void matchesPrometheusForTheEmptyLabelSet() {
        assertEquals(hex("14695981039346656037"), Fingerprint.of(Map.of()));
    }

    @Test
    void matchesPrometheusForKnownLabelSets() {
        assertEquals(
                hex("5799056148416392346"),
                Fingerprint.of(Map.of("name", "garland, briggs", "fear", "love is not enough")));
        assertEquals(
                hex("5146282821936882169"),
                Fingerprint.of(Map.of("first-label", "first-label-value")));
        assertEquals(
                hex("13843036195897128121"),
                Fingerprint.of(
                        Map.of(
                                "first-label",
                                "first-label-value",
                                "second-label",
                                "second-label-value",
                                "third-label",
                                "third-label-value")));
    }

    @Test
    void doesNotDependOnTheOrderLabelsAreGivenIn() {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("alertname", "StreamingAppDown");
        forward.put("app", "orders");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("app", "orders");
        backward.put("alertname", "StreamingAppDown");
        assertEquals(Fingerprint.of(forward), Fingerprint.of(backward));
        assertEquals(16, Fingerprint.of(forward).length());
    }

    @Test
    void changesWhenAValueChanges() {
        assertNotEquals(
                Fingerprint.of(Map.of("app", "orders")), Fingerprint.of(Map.of("app", "payments")));
    }
}
