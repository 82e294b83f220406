package io.streamwatch.service.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;

/**
 * An {@link Alert} as the {@link Outbox} stores it: JSON with epoch-millisecond times. Holds no
 * receiver secret (a PagerDuty routing key is added when the request is built).
 */
public final class AlertCodec {
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private record Stored(
            String name,
            String subject,
            String severity,
            Map<String, String> labels,
            Map<String, String> annotations,
            long startsAtMs,
            Long endsAtMs,
            String generatorUrl) {}

    private AlertCodec() {}

    public static String write(Alert a) {
        try {
            return JSON.writeValueAsString(
                    new Stored(
                            a.name(),
                            a.subject(),
                            a.severity(),
                            a.labels(),
                            a.annotations(),
                            a.startsAt().toEpochMilli(),
                            a.endsAt() == null ? null : a.endsAt().toEpochMilli(),
                            a.generatorUrl()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise alert " + a.key(), e);
        }
    }

    /**
     * @throws IllegalArgumentException when {@code json} is not a stored alert
     */
    public static Alert read(String json) {
        try {
            Stored s = JSON.readValue(json, Stored.class);
            return new Alert(
                    s.name(),
                    s.subject(),
                    s.severity(),
                    s.labels() == null ? Map.of() : s.labels(),
                    s.annotations() == null ? Map.of() : s.annotations(),
                    Instant.ofEpochMilli(s.startsAtMs()),
                    s.endsAtMs() == null ? null : Instant.ofEpochMilli(s.endsAtMs()),
                    s.generatorUrl());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a stored alert: " + e.getOriginalMessage(), e);
        }
    }
}
