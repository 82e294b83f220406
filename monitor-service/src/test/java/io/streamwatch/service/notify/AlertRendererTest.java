package io.streamwatch.service.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The labels, annotations and links every receiver gets. */
class AlertRendererTest {
    private static final Instant STARTS = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant ENDS = Instant.parse("2026-01-01T10:05:00Z");
    private final AlertRenderer renderer = new AlertRenderer("http://streamwatch.test:9470//");

    @Test
    void anAppAlertLinksToTheAppWithItsKeyEncodedAndToItsRunbookSection() {
        Alert a =
                renderer.alert(
                        "StreamingBatchTooSlow",
                        Severity.WARNING,
                        "app",
                        "orders eu/1",
                        "slow",
                        "really slow",
                        STARTS,
                        null);
        assertEquals(
                Map.of(
                        "alertname",
                        "StreamingBatchTooSlow",
                        "app",
                        "orders eu/1",
                        "severity",
                        "warning"),
                a.labels());
        assertEquals(
                Map.of(
                        "summary",
                        "slow",
                        "description",
                        "really slow",
                        "runbook_url",
                        "http://streamwatch.test:9470/runbook#streamingbatchtooslow",
                        "app_url",
                        "http://streamwatch.test:9470/apps/orders%20eu%2F1",
                        "api_url",
                        "http://streamwatch.test:9470/api/v1/apps/orders%20eu%2F1"),
                a.annotations());
        assertEquals("http://streamwatch.test:9470/apps/orders%20eu%2F1", a.generatorUrl());
        assertEquals("warning", a.severity());
        assertEquals("orders eu/1", a.subject());
        assertEquals(STARTS, a.startsAt());
        assertNull(a.endsAt());
        assertEquals("streamwatch/StreamingBatchTooSlow/orders eu/1", a.key());
    }

    @Test
    void aConsumerGroupAlertLinksToTheOverviewAndHasNoDescriptionWhenTheRuleGaveNone() {
        Alert a =
                renderer.alert(
                        "KafkaLagGrowing",
                        Severity.CRITICAL,
                        "group",
                        "billing",
                        "lag",
                        null,
                        STARTS,
                        ENDS);
        assertEquals(
                Map.of("alertname", "KafkaLagGrowing", "group", "billing", "severity", "critical"),
                a.labels());
        assertEquals(
                Map.of(
                        "summary",
                        "lag",
                        "runbook_url",
                        "http://streamwatch.test:9470/runbook#kafkalaggrowing",
                        "alerts_url",
                        "http://streamwatch.test:9470/",
                        "api_url",
                        "http://streamwatch.test:9470/api/v1/alerts?state=all"),
                a.annotations());
        assertEquals("http://streamwatch.test:9470/", a.generatorUrl());
        assertFalse(a.firing());
        assertEquals(ENDS, a.endsAt());
    }

    @Test
    void theRunbookLinkIsTheAlertNameInLowerCase() {
        assertEquals(
                "http://streamwatch.test:9470/runbook#streamingappdown",
                renderer.runbookUrl("StreamingAppDown"));
    }
}
