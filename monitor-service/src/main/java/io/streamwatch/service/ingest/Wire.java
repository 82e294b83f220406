package io.streamwatch.service.ingest;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The ingest protocol, schema 1 ({@code docs/PROTOCOL.md}), as Jackson binds it. These records
 * declare the shape: which fields exist where (any other is refused), and of which JSON type. Every
 * field is nullable here, so "absent" stays visible; {@link EnvelopeConverter} then checks presence
 * and ranges and builds the domain model. The record component order is the order error messages
 * list allowed fields in.
 */
final class Wire {
    private Wire() {}

    record Envelope(
            Long schema, Source source, Long dropped, Long queued, List<EventJson> events) {}

    record Source(
            String app,
            String appId,
            String attemptId,
            String instance,
            String sparkVersion,
            String uiUrl,
            String host,
            String listenerVersion) {}

    /**
     * One event: {@code type} picks the record, and each record names the fields allowed for its
     * types.
     */
    @JsonTypeInfo(
            use = JsonTypeInfo.Id.NAME,
            include = JsonTypeInfo.As.PROPERTY,
            property = "type",
            visible = true)
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Heartbeat.class, name = "heartbeat"),
        @JsonSubTypes.Type(value = AppStart.class, name = "appStart"),
        @JsonSubTypes.Type(value = AppEnd.class, name = "appEnd"),
        @JsonSubTypes.Type(value = StreamingStarted.class, name = "streamingStarted"),
        @JsonSubTypes.Type(
                value = BatchEvent.class,
                names = {"batchSubmitted", "batchStarted", "batchCompleted"}),
        @JsonSubTypes.Type(
                value = ReceiverEvent.class,
                names = {"receiverStarted", "receiverStopped", "receiverError"}),
        @JsonSubTypes.Type(value = QueryStarted.class, name = "queryStarted"),
        @JsonSubTypes.Type(value = QueryProgress.class, name = "queryProgress"),
        @JsonSubTypes.Type(value = QueryIdle.class, name = "queryIdle"),
        @JsonSubTypes.Type(value = QueryTerminated.class, name = "queryTerminated")
    })
    sealed interface EventJson
            permits Heartbeat,
                    AppStart,
                    AppEnd,
                    StreamingStarted,
                    BatchEvent,
                    ReceiverEvent,
                    QueryStarted,
                    QueryProgress,
                    QueryIdle,
                    QueryTerminated {
        String type();

        Long time();
    }

    /** No {@code seq}: heartbeats are never de-duplicated. */
    record Heartbeat(String type, Long time) implements EventJson {}

    record AppStart(String type, Long time, Long seq, String appName, Long startTime, String user)
            implements EventJson {}

    record AppEnd(String type, Long time, Long seq, Long endTime) implements EventJson {}

    record StreamingStarted(String type, Long time, Long seq, Long startTime, Long batchIntervalMs)
            implements EventJson {}

    record BatchEvent(String type, Long time, Long seq, Batch batch) implements EventJson {}

    record ReceiverEvent(String type, Long time, Long seq, Receiver receiver)
            implements EventJson {}

    record Batch(
            Long batchTime,
            Long submissionTime,
            Long processingStartTime,
            Long processingEndTime,
            Long schedulingDelayMs,
            Long processingTimeMs,
            Long totalDelayMs,
            Long records,
            List<Input> inputs,
            List<OutputOp> outputOps,
            Boolean failed,
            String failureReason) {}

    record Input(Long streamId, Long records, String description, List<OffsetRange> offsets) {}

    record OffsetRange(String topic, Long partition, Long fromOffset, Long untilOffset) {}

    record OutputOp(Long id, String name, String failureReason) {}

    record Receiver(
            Long streamId,
            String name,
            Boolean active,
            String location,
            String executorId,
            String lastErrorMessage,
            String lastError) {}

    record QueryStarted(
            String type,
            Long time,
            Long seq,
            String queryId,
            String runId,
            String name,
            Long timestamp,
            Trigger trigger)
            implements EventJson {}

    record QueryProgress(String type, Long time, Long seq, Trigger trigger, Progress progress)
            implements EventJson {}

    record QueryIdle(
            String type,
            Long time,
            Long seq,
            String queryId,
            String runId,
            String name,
            Long timestamp)
            implements EventJson {}

    record QueryTerminated(
            String type,
            Long time,
            Long seq,
            String queryId,
            String runId,
            String name,
            String exception,
            String errorClass)
            implements EventJson {}

    record Trigger(String kind, Long intervalMs) {}

    record Progress(
            String queryId,
            String runId,
            String name,
            Long timestamp,
            Long batchId,
            Long batchDurationMs,
            Map<String, Long> durationMs,
            Map<String, Long> eventTime,
            Long numInputRows,
            Double inputRowsPerSecond,
            Double processedRowsPerSecond,
            List<StateOperator> stateOperators,
            List<SourceProgress> sources,
            SinkProgress sink) {}

    record StateOperator(
            String operatorName,
            Long numRowsTotal,
            Long numRowsUpdated,
            Long memoryUsedBytes,
            Long numRowsDroppedByWatermark) {}

    record SourceProgress(
            String description,
            String startOffset,
            String endOffset,
            String latestOffset,
            Long numInputRows,
            Double inputRowsPerSecond,
            Double processedRowsPerSecond,
            Map<String, String> metrics) {}

    record SinkProgress(String description, Long numOutputRows) {}

    /** The event types, in the order {@link EventJson} declares them. */
    static List<String> eventTypes() {
        return Arrays.stream(EventJson.class.getAnnotation(JsonSubTypes.class).value())
                .flatMap(t -> t.names().length > 0 ? Arrays.stream(t.names()) : Stream.of(t.name()))
                .toList();
    }
}
