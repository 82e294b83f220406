package io.streamwatch.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * One simulated Spark driver with a Streamwatch listener: writes the same gzip JSON envelopes the
 * listener sends (docs/PROTOCOL.md), numbering its events per listener instance, with batches of
 * its own 1 s batch clock. With a query, the driver also runs one Structured Streaming query with a
 * 1 s trigger reading one Kafka topic: each batch it reports comes with that trigger's {@code
 * queryProgress} (and the first request with {@code queryStarted}), as the listener sends them when
 * both land in one flush interval.
 */
final class SimulatedDriver {
    static final long INTERVAL_MS = 1000;

    final String app;
    final String appId;
    private final String sourceJson;
    private final String queryId;
    private final String runId;
    private long seq;
    private long nextBatchTime;
    private long batchId;
    private long offset;
    private boolean queryStarted;

    /**
     * @param firstBatchTime batch time (epoch ms) of the first batch this driver reports
     */
    SimulatedDriver(String app, long firstBatchTime) {
        this(app, firstBatchTime, false);
    }

    /**
     * @param firstBatchTime batch time (epoch ms) of the first batch this driver reports
     * @param withQuery whether the driver also runs one Structured Streaming query
     */
    SimulatedDriver(String app, long firstBatchTime, boolean withQuery) {
        this.app = app;
        this.appId = "app-bench-" + Math.abs(app.hashCode()) + "-" + System.nanoTime();
        this.sourceJson =
                "{\"app\":\""
                        + app
                        + "\",\"appId\":\""
                        + appId
                        + "\",\"attemptId\":null,\"instance\":\""
                        + UUID.randomUUID()
                        + "\",\"sparkVersion\":\"3.5.3\",\"uiUrl\":null,"
                        + "\"host\":\"bench-driver\",\"listenerVersion\":\"0.1.0\"}";
        this.nextBatchTime = firstBatchTime;
        this.queryId = withQuery ? UUID.randomUUID().toString() : null;
        this.runId = withQuery ? UUID.randomUUID().toString() : null;
    }

    boolean withQuery() {
        return queryId != null;
    }

    long nextBatchTime() {
        return nextBatchTime;
    }

    long seq() {
        return seq;
    }

    /**
     * An envelope with {@code batches} batchCompleted events for the next batches (what a listener
     * catching up sends).
     */
    byte[] completedBatches(int batches, long now) {
        StringBuilder sb = envelopeStart(batches * (withQuery() ? 2000 : 700));
        for (int i = 0; i < batches; i++) {
            if (i > 0) sb.append(',');
            long bt = nextBatchTime;
            if (withQuery()) {
                queryEvents(sb, Math.max(now, bt + 300), bt);
                sb.append(',');
            }
            nextBatchTime += INTERVAL_MS;
            batchEvent(
                    sb,
                    "batchCompleted",
                    ++seq,
                    Math.max(now, bt + 300),
                    bt,
                    40 + (bt / 1000) % 200,
                    true);
        }
        return gzip(sb.append("]}").toString());
    }

    /**
     * The request a listener sends for one healthy batch: submitted, started and completed
     * together.
     */
    byte[] oneBatch(long now) {
        StringBuilder sb = envelopeStart(withQuery() ? 4000 : 2200);
        long bt = nextBatchTime;
        nextBatchTime += INTERVAL_MS;
        long processing = 40 + (bt / 1000) % 200;
        if (withQuery()) {
            queryEvents(sb, now, bt);
            sb.append(',');
        }
        batchEvent(sb, "batchSubmitted", ++seq, now, bt, processing, false);
        sb.append(',');
        batchEvent(sb, "batchStarted", ++seq, now, bt, processing, false);
        sb.append(',');
        batchEvent(sb, "batchCompleted", ++seq, now, bt, processing, true);
        return gzip(sb.append("]}").toString());
    }

    /** {@code queryStarted} before the first progress, then the progress of trigger {@code bt}. */
    private void queryEvents(StringBuilder sb, long time, long bt) {
        String trigger = "{\"kind\":\"processingTime\",\"intervalMs\":1000}";
        if (!queryStarted) {
            queryStarted = true;
            sb.append("{\"type\":\"queryStarted\",\"time\":")
                    .append(time)
                    .append(",\"seq\":")
                    .append(++seq)
                    .append(",\"queryId\":\"")
                    .append(queryId)
                    .append("\",\"runId\":\"")
                    .append(runId)
                    .append("\",\"name\":\"q\",\"timestamp\":")
                    .append(bt)
                    .append(",\"trigger\":")
                    .append(trigger)
                    .append("},");
        }
        long rows = 100 + (bt / 1000) % 50;
        long duration = 150 + (bt / 1000) % 100;
        long start = offset;
        offset += rows;
        String topic = app + "-in";
        String startOffset = "{\\\"" + topic + "\\\":{\\\"0\\\":" + start + "}}";
        String endOffset = "{\\\"" + topic + "\\\":{\\\"0\\\":" + offset + "}}";
        double inRate = rows;
        double procRate = Math.round(rows * 1000.0 / duration * 10) / 10.0;
        sb.append("{\"type\":\"queryProgress\",\"time\":")
                .append(time)
                .append(",\"seq\":")
                .append(++seq)
                .append(",\"trigger\":")
                .append(trigger)
                .append(",\"progress\":{\"queryId\":\"")
                .append(queryId)
                .append("\",\"runId\":\"")
                .append(runId)
                .append("\",\"name\":\"q\",\"timestamp\":")
                .append(bt)
                .append(",\"batchId\":")
                .append(batchId++)
                .append(",\"batchDurationMs\":")
                .append(duration)
                .append(",\"durationMs\":{\"triggerExecution\":")
                .append(duration)
                .append(",\"addBatch\":")
                .append(duration - 30)
                .append(",\"getBatch\":1,\"latestOffset\":3,\"queryPlanning\":10,")
                .append("\"walCommit\":8,\"commitOffsets\":8}")
                .append(",\"eventTime\":{\"watermark\":")
                .append(bt - 10_000)
                .append("},\"numInputRows\":")
                .append(rows)
                .append(",\"inputRowsPerSecond\":")
                .append(inRate)
                .append(",\"processedRowsPerSecond\":")
                .append(procRate)
                .append(",\"stateOperators\":[{\"operatorName\":\"stateStoreSave\",")
                .append("\"numRowsTotal\":")
                .append(500 + (bt / 1000) % 20)
                .append(",\"numRowsUpdated\":")
                .append(rows / 10)
                .append(",\"memoryUsedBytes\":")
                .append(65_536 + (bt / 1000) % 20 * 100)
                .append(",\"numRowsDroppedByWatermark\":0}]")
                .append(",\"sources\":[{\"description\":\"KafkaV2[Subscribe[")
                .append(topic)
                .append("]]\",\"startOffset\":\"")
                .append(startOffset)
                .append("\",\"endOffset\":\"")
                .append(endOffset)
                .append("\",\"latestOffset\":\"")
                .append(endOffset)
                .append("\",\"numInputRows\":")
                .append(rows)
                .append(",\"inputRowsPerSecond\":")
                .append(inRate)
                .append(",\"processedRowsPerSecond\":")
                .append(procRate)
                .append(",\"metrics\":{\"maxOffsetsBehindLatest\":\"0\"}}]")
                .append(",\"sink\":{\"description\":\"ForeachBatchSink\",\"numOutputRows\":-1}}}");
    }

    private StringBuilder envelopeStart(int capacity) {
        StringBuilder sb = new StringBuilder(capacity + 600);
        return sb.append("{\"schema\":1,\"source\":")
                .append(sourceJson)
                .append(",\"dropped\":0,\"queued\":0,\"events\":[");
    }

    private static void batchEvent(
            StringBuilder sb,
            String type,
            long seq,
            long time,
            long bt,
            long processing,
            boolean completed) {
        boolean started = completed || type.equals("batchStarted");
        long submission = bt + 3;
        long start = bt + 5;
        long end = start + processing;
        long records = 100 + (bt / 1000) % 50;
        sb.append("{\"type\":\"")
                .append(type)
                .append("\",\"time\":")
                .append(time)
                .append(",\"seq\":")
                .append(seq)
                .append(",\"batch\":{\"batchTime\":")
                .append(bt)
                .append(",\"submissionTime\":")
                .append(submission)
                .append(",\"processingStartTime\":")
                .append(started ? Long.toString(start) : "null")
                .append(",\"processingEndTime\":")
                .append(completed ? Long.toString(end) : "null")
                .append(",\"schedulingDelayMs\":")
                .append(started ? "2" : "null")
                .append(",\"processingTimeMs\":")
                .append(completed ? Long.toString(processing) : "null")
                .append(",\"totalDelayMs\":")
                .append(completed ? Long.toString(processing + 2) : "null")
                .append(",\"records\":")
                .append(records)
                .append(",\"inputs\":[{\"streamId\":0,\"records\":")
                .append(records)
                .append(",\"description\":null,\"offsets\":[]}]")
                .append(
                        ",\"outputOps\":[{\"id\":0,\"name\":\"foreachRDD at BenchApp.java:42\",\"failureReason\":null}]")
                .append(",\"failed\":false,\"failureReason\":null}}");
    }

    static byte[] gzip(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length() / 8 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
