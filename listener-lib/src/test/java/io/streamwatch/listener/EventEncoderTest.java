package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.T0;
import static io.streamwatch.listener.SparkEvents.input;
import static io.streamwatch.listener.SparkEvents.outputOp;
import static io.streamwatch.listener.SparkEvents.scalaList;
import static io.streamwatch.listener.SparkEvents.scalaMap;
import static io.streamwatch.listener.SparkEvents.some;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamwatch.listener.SparkEvents.FakeOffsetRange;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.OutputOperationInfo;
import org.apache.spark.streaming.scheduler.ReceiverInfo;
import org.apache.spark.streaming.scheduler.StreamInputInfo;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchSubmitted;
import org.apache.spark.streaming.scheduler.StreamingListenerOutputOperationCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverError;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStopped;
import org.apache.spark.streaming.scheduler.StreamingListenerStreamingStarted;
import org.junit.jupiter.api.Test;

class EventEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> BATCH_FIELDS =
            new HashSet<>(
                    Arrays.asList(
                            "batchTime",
                            "submissionTime",
                            "processingStartTime",
                            "processingEndTime",
                            "schedulingDelayMs",
                            "processingTimeMs",
                            "totalDelayMs",
                            "records",
                            "inputs",
                            "outputOps",
                            "failed",
                            "failureReason"));

    private Long batchInterval = 2000L;
    private final EventEncoder encoder =
            new EventEncoder(new JsonFactory(), new FixedEnvironment());

    private final class FixedEnvironment implements SparkEnvironment {
        @Override
        public Long batchIntervalMs() {
            return batchInterval;
        }

        @Override
        public String uiUrl() {
            return "http://driver:4040";
        }

        @Override
        public String sparkVersion() {
            return "3.5.3";
        }

        @Override
        public String hostName() {
            return "driver-host";
        }
    }

    private JsonNode encode(Object event, long seq, long time) throws Exception {
        EncodedEvent encoded = encoder.encode(new QueuedEvent(seq, time, event));
        assertEquals(seq, encoded.seq());
        return JSON.readTree(encoded.json());
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            names.add(it.next());
        }
        return names;
    }

    private static String repeat(char c, int n) {
        char[] chars = new char[n];
        Arrays.fill(chars, c);
        return new String(chars);
    }

    @Test
    void batchCompletedCarriesEveryFieldOfSparksBatchInfo() throws Exception {
        String longReason = "java.lang.RuntimeException: boom\n" + repeat('x', 10_000);
        StreamInputInfo kafka =
                input(
                        0,
                        120,
                        "Description",
                        "topic: orders partitions 0-1",
                        "offsets",
                        scalaList(
                                new FakeOffsetRange("orders", 0, 10, 70),
                                new FakeOffsetRange("orders", 1, 5, 65)));
        StreamInputInfo socket = input(3, 30);
        BatchInfo info =
                new BatchInfo(
                        new Time(T0),
                        SparkEvents.<Object, StreamInputInfo>scalaMap(3, socket, 0, kafka),
                        T0 + 5,
                        some(T0 + 20),
                        some(T0 + 520),
                        SparkEvents.<Object, OutputOperationInfo>scalaMap(
                                2, outputOp(T0, 2, "print at App.java:50", "second failure"),
                                0, outputOp(T0, 0, "foreachRDD at App.java:42", null),
                                1, outputOp(T0, 1, "saveAsTextFiles at App.java:45", longReason)));

        EncodedEvent encoded =
                encoder.encode(
                        new QueuedEvent(7, T0 + 600, new StreamingListenerBatchCompleted(info)));
        assertTrue(encoded.urgent(), "batchCompleted is sent at once");
        JsonNode event = JSON.readTree(encoded.json());

        assertEquals(
                new HashSet<>(Arrays.asList("type", "time", "seq", "batch")), fieldNames(event));
        assertEquals("batchCompleted", event.get("type").asText());
        assertEquals(T0 + 600, event.get("time").asLong());
        assertEquals(7, event.get("seq").asLong());

        JsonNode batch = event.get("batch");
        assertEquals(BATCH_FIELDS, fieldNames(batch));
        assertEquals(info.batchTime().milliseconds(), batch.get("batchTime").asLong());
        assertEquals(info.submissionTime(), batch.get("submissionTime").asLong());
        assertEquals(info.processingStartTime().get(), batch.get("processingStartTime").asLong());
        assertEquals(info.processingEndTime().get(), batch.get("processingEndTime").asLong());
        assertEquals(info.schedulingDelay().get(), batch.get("schedulingDelayMs").asLong());
        assertEquals(info.processingDelay().get(), batch.get("processingTimeMs").asLong());
        assertEquals(info.totalDelay().get(), batch.get("totalDelayMs").asLong());
        assertEquals(15, batch.get("schedulingDelayMs").asLong());
        assertEquals(500, batch.get("processingTimeMs").asLong());
        assertEquals(515, batch.get("totalDelayMs").asLong());
        assertEquals(info.numRecords(), batch.get("records").asLong());
        assertEquals(150, batch.get("records").asLong());

        JsonNode inputs = batch.get("inputs");
        assertEquals(2, inputs.size());
        JsonNode first = inputs.get(0);
        assertEquals(
                new HashSet<>(Arrays.asList("streamId", "records", "description", "offsets")),
                fieldNames(first));
        assertEquals(0, first.get("streamId").asInt());
        assertEquals(120, first.get("records").asLong());
        assertEquals("topic: orders partitions 0-1", first.get("description").asText());
        JsonNode offsets = first.get("offsets");
        assertEquals(2, offsets.size());
        assertEquals("orders", offsets.get(0).get("topic").asText());
        assertEquals(0, offsets.get(0).get("partition").asInt());
        assertEquals(10, offsets.get(0).get("fromOffset").asLong());
        assertEquals(70, offsets.get(0).get("untilOffset").asLong());
        assertEquals(1, offsets.get(1).get("partition").asInt());
        assertEquals(5, offsets.get(1).get("fromOffset").asLong());
        assertEquals(65, offsets.get(1).get("untilOffset").asLong());
        JsonNode second = inputs.get(1);
        assertEquals(3, second.get("streamId").asInt());
        assertEquals(30, second.get("records").asLong());
        assertTrue(second.get("description").isNull());
        assertTrue(second.get("offsets").isArray());
        assertEquals(0, second.get("offsets").size());

        JsonNode ops = batch.get("outputOps");
        assertEquals(3, ops.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    new HashSet<>(Arrays.asList("id", "name", "failureReason")),
                    fieldNames(ops.get(i)));
            assertEquals(i, ops.get(i).get("id").asInt());
        }
        assertEquals("foreachRDD at App.java:42", ops.get(0).get("name").asText());
        assertTrue(ops.get(0).get("failureReason").isNull());
        String cut = ops.get(1).get("failureReason").asText();
        assertEquals(2048, cut.length());
        assertEquals(longReason.substring(0, 2048), cut);
        assertEquals("second failure", ops.get(2).get("failureReason").asText());
        assertTrue(batch.get("failed").asBoolean());
        assertEquals(
                cut, batch.get("failureReason").asText(), "the first failure, by output op id");
    }

    @Test
    void batchSubmittedHasOnlyWhatSparkKnowsAtSubmission() throws Exception {
        BatchInfo info = SparkEvents.batch(T0, 42, null, null);
        EncodedEvent encoded =
                encoder.encode(
                        new QueuedEvent(1, T0 + 4, new StreamingListenerBatchSubmitted(info)));
        assertFalse(encoded.urgent());
        JsonNode batch = JSON.readTree(encoded.json()).get("batch");
        assertEquals("batchSubmitted", JSON.readTree(encoded.json()).get("type").asText());
        assertEquals(BATCH_FIELDS, fieldNames(batch));
        assertEquals(T0, batch.get("batchTime").asLong());
        assertEquals(T0 + 3, batch.get("submissionTime").asLong());
        assertEquals(42, batch.get("records").asLong());
        for (String name :
                Arrays.asList(
                        "processingStartTime",
                        "processingEndTime",
                        "schedulingDelayMs",
                        "processingTimeMs",
                        "totalDelayMs",
                        "failureReason")) {
            assertTrue(batch.get(name).isNull(), name + " is null before processing");
        }
        assertFalse(batch.get("failed").asBoolean());
        assertEquals(0, batch.get("outputOps").size());
    }

    @Test
    void batchStartedAddsProcessingStartAndSchedulingDelay() throws Exception {
        BatchInfo info = SparkEvents.batch(T0, 5, T0 + 50, null);
        JsonNode event = encode(new StreamingListenerBatchStarted(info), 2, T0 + 51);
        assertEquals("batchStarted", event.get("type").asText());
        JsonNode batch = event.get("batch");
        assertEquals(T0 + 50, batch.get("processingStartTime").asLong());
        assertEquals(47, batch.get("schedulingDelayMs").asLong());
        assertTrue(batch.get("processingEndTime").isNull());
        assertTrue(batch.get("processingTimeMs").isNull());
        assertTrue(batch.get("totalDelayMs").isNull());
    }

    @Test
    void offsetsAreReadFromJavaArraysToo() {
        Object[] ranges = {new FakeOffsetRange("t", 3, 1, 2)};
        java.util.List<EventEncoder.OffsetRange> read = encoder.readOffsets(ranges);
        assertEquals(1, read.size());
        assertEquals("t", read.get(0).topic);
        assertEquals(3, read.get(0).partition);
        assertEquals(1, read.get(0).fromOffset);
        assertEquals(2, read.get(0).untilOffset);
    }

    @Test
    void unexpectedOffsetsMetadataYieldsAnEmptyArray() throws Exception {
        for (Object garbage :
                new Object[] {
                    scalaList("not an offset range"),
                    scalaList(new FakeOffsetRange("t", 0, 1, 2), 42),
                    "offsets as a string",
                    scalaMap("a", "b")
                }) {
            StreamInputInfo in = input(0, 1, "Description", "d", "offsets", garbage);
            BatchInfo info =
                    new BatchInfo(
                            new Time(T0),
                            SparkEvents.<Object, StreamInputInfo>scalaMap(0, in),
                            T0,
                            SparkEvents.none(),
                            SparkEvents.none(),
                            SparkEvents.<Object, OutputOperationInfo>scalaMap());
            JsonNode inputJson =
                    encode(new StreamingListenerBatchSubmitted(info), 1, T0)
                            .get("batch")
                            .get("inputs")
                            .get(0);
            assertEquals("d", inputJson.get("description").asText());
            assertTrue(inputJson.get("offsets").isArray(), "offsets for " + garbage);
            assertEquals(0, inputJson.get("offsets").size(), "offsets for " + garbage);
        }
    }

    @Test
    void receiverErrorCarriesReceiverInfoWithTheErrorCut() throws Exception {
        String trace = "java.io.IOException: socket closed\n" + repeat('y', 5000);
        ReceiverInfo info =
                new ReceiverInfo(
                        4,
                        "SocketReceiver-4",
                        false,
                        "host-1",
                        "exec-2",
                        "socket closed",
                        trace,
                        -1L);
        EncodedEvent encoded =
                encoder.encode(new QueuedEvent(9, T0, new StreamingListenerReceiverError(info)));
        assertTrue(encoded.urgent(), "receiverError is sent at once");
        JsonNode event = JSON.readTree(encoded.json());
        assertEquals("receiverError", event.get("type").asText());
        assertEquals(T0, event.get("time").asLong(), "the listener stamps the time itself");
        JsonNode receiver = event.get("receiver");
        assertEquals(
                new HashSet<>(
                        Arrays.asList(
                                "streamId",
                                "name",
                                "active",
                                "location",
                                "executorId",
                                "lastErrorMessage",
                                "lastError")),
                fieldNames(receiver));
        assertEquals(4, receiver.get("streamId").asInt());
        assertEquals("SocketReceiver-4", receiver.get("name").asText());
        assertFalse(receiver.get("active").asBoolean());
        assertEquals("host-1", receiver.get("location").asText());
        assertEquals("exec-2", receiver.get("executorId").asText());
        assertEquals("socket closed", receiver.get("lastErrorMessage").asText());
        assertEquals(trace.substring(0, 2048), receiver.get("lastError").asText());
    }

    @Test
    void receiverStartedAndStoppedReportNoErrorAsNull() throws Exception {
        ReceiverInfo info = new ReceiverInfo(0, "r", true, "host", "driver", "", "", -1L);
        JsonNode started = encode(new StreamingListenerReceiverStarted(info), 1, T0);
        assertEquals("receiverStarted", started.get("type").asText());
        assertTrue(started.get("receiver").get("active").asBoolean());
        assertTrue(started.get("receiver").get("lastErrorMessage").isNull());
        assertTrue(started.get("receiver").get("lastError").isNull());
        JsonNode stopped = encode(new StreamingListenerReceiverStopped(info), 2, T0);
        assertEquals("receiverStopped", stopped.get("type").asText());
    }

    @Test
    void streamingStartedReportsTheBatchIntervalWhenKnown() throws Exception {
        JsonNode known = encode(new StreamingListenerStreamingStarted(T0 - 1), 3, T0);
        assertEquals("streamingStarted", known.get("type").asText());
        assertEquals(T0 - 1, known.get("startTime").asLong());
        assertEquals(2000, known.get("batchIntervalMs").asLong());

        batchInterval = null;
        JsonNode unknown = encode(new StreamingListenerStreamingStarted(T0 - 1), 4, T0);
        assertTrue(unknown.has("batchIntervalMs"));
        assertTrue(unknown.get("batchIntervalMs").isNull());
    }

    @Test
    void applicationStartAndEndBecomeAppStartAndAppEnd() throws Exception {
        JsonNode start =
                encode(SparkEvents.appStart("My App", "app-1", null, T0 - 100, "alice"), 1, T0);
        assertEquals(
                new HashSet<>(Arrays.asList("type", "time", "seq", "appName", "startTime", "user")),
                fieldNames(start));
        assertEquals("appStart", start.get("type").asText());
        assertEquals("My App", start.get("appName").asText());
        assertEquals(T0 - 100, start.get("startTime").asLong());
        assertEquals("alice", start.get("user").asText());

        EncodedEvent end =
                encoder.encode(new QueuedEvent(2, T0, new SparkListenerApplicationEnd(T0 + 9)));
        assertTrue(end.urgent(), "appEnd is sent at once");
        JsonNode endJson = JSON.readTree(end.json());
        assertEquals("appEnd", endJson.get("type").asText());
        assertEquals(T0 + 9, endJson.get("endTime").asLong());
    }

    @Test
    void eventsOutsideTheProtocolAreNotEncoded() throws Exception {
        OutputOperationInfo op = outputOp(T0, 0, "x", null);
        assertNull(
                encoder.encode(
                        new QueuedEvent(1, T0, new StreamingListenerOutputOperationCompleted(op))));
        assertNull(encoder.encode(new QueuedEvent(2, T0, "a string")));
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        String text = repeat('a', 2047) + emoji;
        assertEquals(2047, EventEncoder.cut(text, 2048).length());
        assertEquals("abc", EventEncoder.cut("abc", 2048));
        assertNull(EventEncoder.cut(null, 2048));
    }
}
