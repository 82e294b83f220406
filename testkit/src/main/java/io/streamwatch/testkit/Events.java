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
