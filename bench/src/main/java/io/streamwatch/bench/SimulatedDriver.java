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
 * its own 1 s batch clock.
 */
final class SimulatedDriver {
    static final long INTERVAL_MS = 1000;

    final String app;
    final String appId;
    private final String sourceJson;
    private long seq;
    private long nextBatchTime;

    /**
     * @param firstBatchTime batch time (epoch ms) of the first batch this driver reports
     */
    SimulatedDriver(String app, long firstBatchTime) {
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
        StringBuilder sb = envelopeStart(batches * 700);
        for (int i = 0; i < batches; i++) {
            if (i > 0) sb.append(',');
            long bt = nextBatchTime;
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
        StringBuilder sb = envelopeStart(2200);
        long bt = nextBatchTime;
        nextBatchTime += INTERVAL_MS;
        long processing = 40 + (bt / 1000) % 200;
        batchEvent(sb, "batchSubmitted", ++seq, now, bt, processing, false);
        sb.append(',');
        batchEvent(sb, "batchStarted", ++seq, now, bt, processing, false);
        sb.append(',');
        batchEvent(sb, "batchCompleted", ++seq, now, bt, processing, true);
        return gzip(sb.append("]}").toString());
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
