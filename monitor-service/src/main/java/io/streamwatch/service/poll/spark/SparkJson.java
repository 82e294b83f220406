package io.streamwatch.service.poll.spark;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the JSON of Spark's driver REST API ({@code /api/v1}) into small values. Spark omits optional
 * fields instead of writing null, and writes dates as {@code 2026-11-21T19:17:04.000GMT}, which is not
 * ISO-8601: both are handled here and nowhere else.
 */
final class SparkJson {
    /** Spark's {@code JacksonMessageWriter} date format: always GMT, always milliseconds. */
    static final DateTimeFormatter SPARK_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private SparkJson() {}

    /** One entry of {@code /applications}. {@code startTime} is epoch ms, null when absent. */
    record Application(String id, String name, boolean running, String sparkVersion, Long startTime) {}

    /** What {@code /streaming/statistics} says that we use. */
    record Statistics(Long startTime, Long batchDurationMs) {}

    /**
     * One entry of {@code /streaming/batches}. {@code batchId} is the batch time in epoch ms. Delays
     * are null while Spark does not know them (a queued batch has no scheduling delay yet).
     */
    record Batch(long batchId, String status, long inputSize, Long schedulingDelay, Long processingTime, Long totalDelay,
                 int numFailedOutputOps, String firstFailureReason) {
        boolean failed() {
            return numFailedOutputOps > 0;
        }
    }

    /** Epoch ms of a Spark date string; null when absent or not in Spark's format. */
    static Long parseDate(String text) {
        if (text == null) return null;
        try {
            return ZonedDateTime.parse(text, SPARK_DATE).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static List<Application> applications(JsonNode root) {
        List<Application> out = new ArrayList<>();
        for (JsonNode app : array(root)) {
            String id = text(app, "id");
            if (id == null) continue;
            boolean running = false;
            String version = null;
            Long start = null;
            for (JsonNode attempt : array(app.path("attempts"))) {
                if (!attempt.path("completed").asBoolean(true)) running = true;
                if (version == null) version = text(attempt, "appSparkVersion");
                if (start == null) {
                    start = attempt.has("startTimeEpoch") ? Long.valueOf(attempt.get("startTimeEpoch").asLong())
                            : parseDate(text(attempt, "startTime"));
                }
            }
            out.add(new Application(id, text(app, "name"), running, version, start));
        }
        return out;
    }

    static Statistics statistics(JsonNode root) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException("streaming statistics is not a JSON object");
        return new Statistics(parseDate(text(root, "startTime")), number(root, "batchDuration"));
    }

    static List<Batch> batches(JsonNode root) {
        List<Batch> out = new ArrayList<>();
        for (JsonNode b : array(root)) {
            Long id = number(b, "batchId");
            if (id == null) continue;
            Long inputSize = number(b, "inputSize");
            Long failedOps = number(b, "numFailedOutputOps");
            out.add(new Batch(id, text(b, "status"), inputSize == null ? 0 : inputSize, number(b, "schedulingDelay"),
                    number(b, "processingTime"), number(b, "totalDelay"), failedOps == null ? 0 : failedOps.intValue(),
                    text(b, "firstFailureReason")));
        }
        return out;
    }

    /**
     * Receivers of {@code /streaming/receivers}. Spark lists every input stream there; entries without
     * {@code isActive} are streams with no receiver (queue or Kafka direct streams) and are left out, as
     * the listener leaves them out. Spark keeps no error count: a receiver with an error message counts one.
     */
    static List<AppSnapshot.ReceiverView> receivers(JsonNode root) {
        List<AppSnapshot.ReceiverView> out = new ArrayList<>();
        for (JsonNode r : array(root)) {
            Long streamId = number(r, "streamId");
            if (streamId == null || !r.has("isActive")) continue;
            String error = text(r, "lastErrorMessage");
            out.add(new AppSnapshot.ReceiverView(streamId.intValue(), text(r, "streamName"), r.get("isActive").asBoolean(),
                    text(r, "executorHost"), text(r, "executorId"), error == null ? 0 : 1, error,
                    parseDate(text(r, "lastErrorTime"))));
        }
        return out;
    }

    /** The {@code failureReason} of the first failed operation of {@code /batches/{id}/operations}, by operation id. */
    static String firstFailureReason(JsonNode operations) {
        String reason = null;
        long firstId = Long.MAX_VALUE;
        for (JsonNode op : array(operations)) {
            String r = text(op, "failureReason");
            Long id = number(op, "outputOpId");
            long key = id == null ? Long.MAX_VALUE - 1 : id;
            if (r != null && key < firstId) {
                reason = r;
                firstId = key;
            }
        }
        return reason;
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
        String reason = failureReason == null || failureReason.length() <= maxReasonChars ? failureReason
                : failureReason.substring(0, maxReasonChars);
        return new BatchRecord(appId, b.batchId(), b.batchId(), start, start + processing, scheduling, processing, total,
                b.inputSize(), b.failed(), b.failed() ? reason : null, true);
    }

    private static Iterable<JsonNode> array(JsonNode node) {
        return node != null && node.isArray() ? node : List.of();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isNumber() ? null : v.asLong();
    }
}
