package io.streamwatch.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds ingest bodies as the listener would send them (docs/PROTOCOL.md), for tests. */
public final class Events {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode root = JSON.createObjectNode();
    private final ArrayNode events;
    private long seq;

    private Events(String app, String appId, String instance) {
        root.put("schema", 1);
        ObjectNode src = root.putObject("source");
        src.put("app", app);
        src.put("appId", appId);
        src.putNull("attemptId");
        src.put("instance", instance);
        src.put("sparkVersion", "3.5.3");
        src.put("uiUrl", "http://127.0.0.1:4040");
        root.put("dropped", 0);
        root.put("queued", 0);
        events = root.putArray("events");
    }

    public static Events from(String app, String appId) {
        return new Events(app, appId, "instance-" + appId);
    }

    public Events startingAt(long firstSeq) {
        this.seq = firstSeq - 1;
        return this;
    }

    public Events dropped(long n) {
        root.put("dropped", n);
        return this;
    }

    public ObjectNode event(String type, long time) {
        ObjectNode e = events.addObject();
        e.put("type", type);
        e.put("time", time);
        if (!type.equals("heartbeat")) e.put("seq", ++seq);
        return e;
    }

    public Events heartbeat(long time) {
        event("heartbeat", time);
        return this;
    }

    public Events streamingStarted(long time, long intervalMs) {
        ObjectNode e = event("streamingStarted", time);
        e.put("startTime", time);
        e.put("batchIntervalMs", intervalMs);
        return this;
    }

    public Events submitted(long batchTime) {
        ObjectNode b = event("batchSubmitted", batchTime).putObject("batch");
        b.put("batchTime", batchTime);
        b.put("submissionTime", batchTime);
        b.put("records", 0);
        return this;
    }

    /**
     * A completed batch submitted at its batch time, started after {@code schedMs}, running {@code
     * procMs}.
     */
    public Events completed(
            long batchTime, long schedMs, long procMs, long records, String failure) {
        ObjectNode b = event("batchCompleted", batchTime + schedMs + procMs).putObject("batch");
        b.put("batchTime", batchTime);
        b.put("submissionTime", batchTime);
        b.put("processingStartTime", batchTime + schedMs);
        b.put("processingEndTime", batchTime + schedMs + procMs);
        b.put("schedulingDelayMs", schedMs);
        b.put("processingTimeMs", procMs);
        b.put("totalDelayMs", schedMs + procMs);
        b.put("records", records);
        b.putArray("inputs");
        ObjectNode op = b.putArray("outputOps").addObject();
        op.put("id", 0);
        op.put("name", "foreachRDD at Test.java:1");
        op.put("failureReason", failure);
        b.put("failed", failure != null);
        b.put("failureReason", failure);
        return this;
    }

    /** The Spark UI the listener reports (default {@code http://127.0.0.1:4040}). */
    public Events uiUrl(String url) {
        ((ObjectNode) root.get("source")).put("uiUrl", url);
        return this;
    }

    public Events receiverStarted(long time, int streamId) {
        receiver("receiverStarted", time, streamId, null);
        return this;
    }

    public Events receiverError(long time, int streamId, String message) {
        receiver("receiverError", time, streamId, message);
        return this;
    }

    private void receiver(String type, long time, int streamId, String message) {
        ObjectNode r = event(type, time).putObject("receiver");
        r.put("streamId", streamId);
        r.put("name", "receiver-" + streamId);
        r.put("active", true);
        r.put("location", "localhost");
        r.put("executorId", "driver");
        r.put("lastErrorMessage", message);
        r.put("lastError", message);
    }

    /**
     * A {@code queryStarted} event; {@code triggerKind} null sends {@code "trigger": null} (the
     * listener could not read it).
     */
    public Events queryStarted(
            long time,
            String queryId,
            String runId,
            String name,
            String triggerKind,
            Long intervalMs) {
        ObjectNode e = event("queryStarted", time);
        ids(e, queryId, runId, name);
        e.put("timestamp", time);
        trigger(e, triggerKind, intervalMs);
        return this;
    }

    /**
     * A {@code queryProgress} of a micro-batch that ran ({@code addBatch} in {@code durationMs}),
     * {@code durationMs} long, with one rate source and {@code "trigger": null}; {@link
     * #lastProgress()} changes it further.
     */
    public Events queryProgress(
            long time,
            String queryId,
            String runId,
            String name,
            long batchId,
            long timestamp,
            long rows,
            long durationMs) {
        ObjectNode p = progress(time, queryId, runId, name, batchId, timestamp, rows);
        ObjectNode d = p.putObject("durationMs");
        d.put("triggerExecution", durationMs);
        d.put("addBatch", durationMs * 3 / 4);
        d.put("getBatch", 1);
        d.put("latestOffset", 1);
        d.put("queryPlanning", 5);
        d.put("walCommit", 10);
        d.put("commitOffsets", 10);
        ObjectNode src = p.putArray("sources").addObject();
        src.put(
                "description",
                "RateStreamV2[rowsPerSecond=10, rampUpTimeSeconds=0, numPartitions=1");
        src.put("startOffset", Long.toString(batchId * 10));
        src.put("endOffset", Long.toString(batchId * 10 + rows));
        src.put("latestOffset", Long.toString(batchId * 10 + rows));
        src.put("numInputRows", rows);
        src.put("inputRowsPerSecond", 10.0);
        src.put("processedRowsPerSecond", 12.5);
        src.putObject("metrics");
        return this;
    }

    /** Spark 3.4's progress of a trigger without new data: no {@code addBatch}, no rows. */
    public Events queryNoDataProgress(
            long time, String queryId, String runId, String name, long batchId, long timestamp) {
        ObjectNode p = progress(time, queryId, runId, name, batchId, timestamp, 0);
        p.putObject("durationMs").put("triggerExecution", 2).put("latestOffset", 1);
        p.putArray("sources");
        return this;
    }

    private ObjectNode progress(
            long time,
            String queryId,
            String runId,
            String name,
            long batchId,
            long timestamp,
            long rows) {
        ObjectNode e = event("queryProgress", time);
        e.putNull("trigger");
        ObjectNode p = e.putObject("progress");
        ids(p, queryId, runId, name);
        p.put("timestamp", timestamp);
        p.put("batchId", batchId);
        p.putNull("batchDurationMs");
        p.putObject("eventTime");
        p.put("numInputRows", rows);
        p.put("inputRowsPerSecond", 10.0);
        p.put("processedRowsPerSecond", 12.5);
        p.putArray("stateOperators");
        ObjectNode sink = p.putObject("sink");
        sink.put("description", "ForeachBatchSink");
        sink.put("numOutputRows", -1);
        return p;
    }

    /** The {@code progress} object of the last {@code queryProgress} added, to change it. */
    public ObjectNode lastProgress() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).path("type").asText().equals("queryProgress"))
                return (ObjectNode) events.get(i).get("progress");
        }
        throw new IllegalStateException("no queryProgress event added");
    }

    /**
     * Makes the last progress read Kafka {@code topic} up to {@code endOffsets} (one per partition,
     * from 0), as Spark's Kafka source reports it.
     */
    public Events kafkaSource(String topic, long... endOffsets) {
        ObjectNode src = (ObjectNode) lastProgress().get("sources").get(0);
        src.put("description", "KafkaV2[Subscribe[" + topic + "]]");
        ObjectNode start = JSON.createObjectNode();
        ObjectNode end = JSON.createObjectNode();
        ObjectNode s = start.putObject(topic);
        ObjectNode en = end.putObject(topic);
        for (int i = 0; i < endOffsets.length; i++) {
            s.put(Integer.toString(i), Math.max(0, endOffsets[i] - 1));
            en.put(Integer.toString(i), endOffsets[i]);
        }
        src.put("startOffset", start.toString());
        src.put("endOffset", end.toString());
        src.put("latestOffset", end.toString());
        src.putObject("metrics").put("maxOffsetsBehindLatest", "0");
        return this;
    }

    /** Sets the listener-read trigger of the last event (query started or progress). */
    public Events trigger(String kind, Long intervalMs) {
        trigger((ObjectNode) events.get(events.size() - 1), kind, intervalMs);
        return this;
    }

    public Events queryIdle(long time, String queryId, String runId, String name, long timestamp) {
        ObjectNode e = event("queryIdle", time);
        ids(e, queryId, runId, name);
        e.put("timestamp", timestamp);
        return this;
    }

    public Events queryTerminated(
            long time,
            String queryId,
            String runId,
            String name,
            String exception,
            String errorClass) {
        ObjectNode e = event("queryTerminated", time);
        ids(e, queryId, runId, name);
        e.put("exception", exception);
        e.put("errorClass", errorClass);
        return this;
    }

    private static void ids(ObjectNode e, String queryId, String runId, String name) {
        e.put("queryId", queryId);
        e.put("runId", runId);
        e.put("name", name);
    }

    private static void trigger(ObjectNode e, String kind, Long intervalMs) {
        if (kind == null) {
            e.putNull("trigger");
        } else {
            ObjectNode t = e.putObject("trigger");
            t.put("kind", kind);
            t.put("intervalMs", intervalMs);
        }
    }

    public Events appEnd(long time) {
        event("appEnd", time).put("endTime", time);
        return this;
    }

    public ObjectNode root() {
        return root;
    }

    public String json() {
        return root.toString();
    }
}
