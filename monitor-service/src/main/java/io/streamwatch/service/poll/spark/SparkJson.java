package io.streamwatch.service.poll.spark;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The JSON of Spark's driver REST API ({@code /api/v1}), declared as records that Jackson binds.
 * Spark adds fields from version to version (ignored here), omits optional fields instead of
 * writing null (absent is null, or 0 for counts), and writes dates as {@code
 * 2026-11-21T19:17:04.000GMT}, which is not ISO-8601 ({@link SparkDate}): all of that is handled
 * here and nowhere else.
 */
final class SparkJson {
    /** Spark's {@code JacksonMessageWriter} date format: always GMT, always milliseconds. */
    static final DateTimeFormatter SPARK_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'GMT'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    private static final ObjectMapper JSON =
            JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private SparkJson() {}

    /**
     * One entry of {@code /applications}, summed over its attempts. {@code startTime} is epoch ms,
     * null when absent.
     */
    record Application(
            String id, String name, boolean running, String sparkVersion, Long startTime) {}

    /** What {@code /streaming/statistics} says that we use. */
    record Statistics(
            @JsonDeserialize(using = SparkDate.class) Long startTime,
            @JsonProperty("batchDuration") Long batchDurationMs) {}

    /**
     * One entry of {@code /streaming/batches}. {@code batchId} is the batch time in epoch ms.
     * Delays are null while Spark does not know them (a queued batch has no scheduling delay yet).
     */
    record Batch(
            @JsonProperty(required = true) long batchId,
            String status,
            long inputSize,
            Long schedulingDelay,
            Long processingTime,
            Long totalDelay,
            int numFailedOutputOps,
            String firstFailureReason) {
        boolean failed() {
            return numFailedOutputOps > 0;
        }
    }

    /** An entry of {@code /applications} as Spark writes it. */
    private record ApplicationJson(String id, String name, List<Attempt> attempts) {}

    private record Attempt(
            Boolean completed,
            String appSparkVersion,
            Long startTimeEpoch,
            @JsonDeserialize(using = SparkDate.class) Long startTime) {}

    /**
     * An entry of {@code /streaming/receivers}; {@code isActive} is absent for streams without a
     * receiver.
     */
    private record ReceiverJson(
            Integer streamId,
            String streamName,
            @JsonProperty("isActive") Boolean active,
            String executorHost,
            String executorId,
            String lastErrorMessage,
            @JsonDeserialize(using = SparkDate.class) Long lastErrorTime) {}

    /** An entry of {@code /streaming/batches/{id}/operations}. */
    private record Operation(Long outputOpId, String failureReason) {}

    /** Epoch ms of a Spark date string; null when absent or not in Spark's format. */
    static Long parseDate(String text) {
        if (text == null) return null;
        try {
            return ZonedDateTime.parse(text, SPARK_DATE).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Binds a Spark date to epoch ms; anything that is not a date in Spark's format is unknown
     * (null).
     */
    static final class SparkDate extends StdDeserializer<Long> {
        SparkDate() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) return parseDate(p.getText());
            p.skipChildren();
            return null;
        }
    }

    static List<Application> applications(InputStream json) throws IOException {
        List<Application> out = new ArrayList<>();
        for (ApplicationJson app : list(json, new TypeReference<List<ApplicationJson>>() {})) {
            if (app.id() == null) continue;
            boolean running = false;
            String version = null;
            Long start = null;
            for (Attempt attempt : app.attempts() == null ? List.<Attempt>of() : app.attempts()) {
                if (Boolean.FALSE.equals(attempt.completed())) running = true;
                if (version == null) version = attempt.appSparkVersion();
                if (start == null)
                    start =
                            attempt.startTimeEpoch() != null
                                    ? attempt.startTimeEpoch()
                                    : attempt.startTime();
            }
            out.add(new Application(app.id(), app.name(), running, version, start));
        }
        return out;
    }

    static Statistics statistics(InputStream json) throws IOException {
        Statistics s = JSON.readValue(json, Statistics.class);
        if (s == null)
            throw new JsonMappingException(null, "streaming statistics is null, not a JSON object");
        return s;
    }

    static List<Batch> batches(InputStream json) throws IOException {
        return list(json, new TypeReference<List<Batch>>() {});
    }

    /**
     * Receivers of {@code /streaming/receivers}. Spark lists every input stream there; entries
     * without {@code isActive} are streams with no receiver (queue or Kafka direct streams) and are
     * left out, as the listener leaves them out. Spark keeps no error count: a receiver with an
     * error message counts one.
     */
    static List<AppSnapshot.ReceiverView> receivers(InputStream json) throws IOException {
        List<AppSnapshot.ReceiverView> out = new ArrayList<>();
        for (ReceiverJson r : list(json, new TypeReference<List<ReceiverJson>>() {})) {
            if (r.streamId() == null || r.active() == null) continue;
            out.add(
                    new AppSnapshot.ReceiverView(
                            r.streamId(),
                            r.streamName(),
                            r.active(),
                            r.executorHost(),
                            r.executorId(),
                            r.lastErrorMessage() == null ? 0 : 1,
                            r.lastErrorMessage(),
                            r.lastErrorTime()));
        }
        return out;
    }

    /**
     * The {@code failureReason} of the first failed operation of {@code /batches/{id}/operations},
     * by operation id.
     */
    static String firstFailureReason(InputStream json) throws IOException {
        return list(json, new TypeReference<List<Operation>>() {}).stream()
                .filter(op -> op.failureReason() != null)
                .min(
                        Comparator.comparingLong(
                                op ->
                                        op.outputOpId() == null
                                                ? Long.MAX_VALUE - 1
                                                : op.outputOpId()))
                .map(Operation::failureReason)
                .orElse(null);
    }

    /**
     * A completed batch as a history record. REST has no submission time: the batch time stands in,
     * and processing start is batch time plus scheduling delay.
     */
    static BatchRecord record(String appId, Batch b, String failureReason, int maxReasonChars) {
        long scheduling = b.schedulingDelay() == null ? 0 : b.schedulingDelay();
        long processing = b.processingTime() == null ? 0 : b.processingTime();
        long total = b.totalDelay() == null ? scheduling + processing : b.totalDelay();
        long start = b.batchId() + scheduling;
        String reason =
                failureReason == null || failureReason.length() <= maxReasonChars
                        ? failureReason
                        : failureReason.substring(0, maxReasonChars);
        return new BatchRecord(
                appId,
                b.batchId(),
                b.batchId(),
                start,
                start + processing,
                scheduling,
                processing,
                total,
                b.inputSize(),
                b.failed(),
                b.failed() ? reason : null,
                true);
    }

    /** A JSON array of entries (JSON null reads as none; null entries are dropped). */
    private static <T> List<T> list(InputStream json, TypeReference<List<T>> type)
            throws IOException {
        List<T> entries = JSON.readValue(json, type);
        return entries == null ? List.of() : entries.stream().filter(Objects::nonNull).toList();
    }
}
