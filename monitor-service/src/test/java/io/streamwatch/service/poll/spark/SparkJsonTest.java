package io.streamwatch.service.poll.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading the JSON a real Spark 3.5.3 driver wrote (fixtures captured from one). */
class SparkJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static InputStream fixture(String name) throws Exception {
        return json(FakeDriver.fixture(name));
    }

    private static InputStream json(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sparkDatesAreReadWithSparksOwnPatternInGmt() {
        assertEquals(
                Instant.parse("2026-11-21T19:58:15.396Z").toEpochMilli(),
                SparkJson.parseDate("2026-11-21T19:58:15.396GMT"));
        assertEquals(
                -1L, SparkJson.parseDate("1969-12-31T23:59:59.999GMT"), "Spark's 'no end time'");
        assertNull(
                SparkJson.parseDate("2026-11-21T19:58:15.396Z"),
                "ISO-8601 is not what Spark writes");
        assertNull(SparkJson.parseDate("yesterday"));
        assertNull(SparkJson.parseDate(null));
    }

    @Test
    void theApplicationsStartTimeTextAgreesWithItsEpochField() throws Exception {
        JsonNode attempt =
                JSON.readTree(FakeDriver.fixture("applications.json"))
                        .get(0)
                        .get("attempts")
                        .get(0);
        assertEquals(
                attempt.get("startTimeEpoch").asLong(),
                SparkJson.parseDate(attempt.get("startTime").asText()));

        List<SparkJson.Application> apps = SparkJson.applications(fixture("applications.json"));
        assertEquals(
                List.of(
                        new SparkJson.Application(
                                FakeDriver.APP_ID,
                                "capture-fixtures",
                                true,
                                "3.5.3",
                                1795291094145L)),
                apps);
    }

    @Test
    void statisticsGiveTheStreamingStartAndBatchDuration() throws Exception {
        SparkJson.Statistics s = SparkJson.statistics(fixture("statistics.json"));
        assertEquals(
                new SparkJson.Statistics(
                        Instant.parse("2026-11-21T19:58:15.396Z").toEpochMilli(), 1000L),
                s);
    }

    @Test
    void delaysSparkOmitsAreUnknownNotZero() throws Exception {
        List<SparkJson.Batch> queued = SparkJson.batches(fixture("batches-queued.json"));
        assertEquals(4, queued.size());
        assertTrue(
                queued.stream()
                        .allMatch(
                                b ->
                                        b.schedulingDelay() == null
                                                && b.processingTime() == null
                                                && b.totalDelay() == null
                                                && "QUEUED".equals(b.status())),
                queued.toString());

        SparkJson.Batch processing = SparkJson.batches(fixture("batches-processing.json")).get(0);
        assertEquals(3133L, processing.schedulingDelay());
        assertNull(processing.processingTime());
    }

    @Test
    void completedBatchesCarryTheirFirstFailureReason() throws Exception {
        List<SparkJson.Batch> completed = SparkJson.batches(fixture("batches-completed.json"));
        assertEquals(10, completed.size());
        SparkJson.Batch failed =
                completed.stream().filter(SparkJson.Batch::failed).findFirst().orElseThrow();
        assertEquals(FakeDriver.FAILED_BATCH, failed.batchId());
        assertTrue(
                failed.firstFailureReason()
                        .startsWith(
                                "java.lang.IllegalStateException: capture: synthetic output-op failure"));
        assertEquals(1, completed.stream().filter(SparkJson.Batch::failed).count());
    }

    @Test
    void receiversWithoutAReceiverAreLeftOutAndAnErrorCountsOnce() throws Exception {
        List<AppSnapshot.ReceiverView> rs = SparkJson.receivers(fixture("receivers.json"));
        assertEquals(
                List.of(
                        new AppSnapshot.ReceiverView(
                                0,
                                "Ticker-0",
                                true,
                                "127.0.0.1",
                                "driver",
                                1,
                                "synthetic receiver error at record 100",
                                null)),
                rs,
                "the queue stream has no receiver; lastErrorTime is omitted");
    }

    @Test
    void theFailureReasonOfOperationsIsTheFirstFailedOneById() throws Exception {
        String reason = SparkJson.firstFailureReason(fixture("operations-failed.json"));
        assertTrue(
                reason.startsWith(
                        "java.lang.IllegalStateException: capture: synthetic output-op failure"),
                reason);
        assertNull(
                SparkJson.firstFailureReason(fixture("operations-ok.json")),
                "no operation of that batch failed");
    }

    @Test
    void aCompletedBatchBecomesABackfilledRecordTimedFromItsBatchTime() throws Exception {
        SparkJson.Batch b = SparkJson.batches(fixture("batches-completed.json")).get(0);
        BatchRecord r = SparkJson.record("app-1", b, null, 2048);
        long t = 1795291105000L;
        assertEquals(
                new BatchRecord(
                        "app-1",
                        t,
                        t,
                        t + 1560,
                        t + 1560 + 2573,
                        1560,
                        2573,
                        4133,
                        50,
                        false,
                        null,
                        true),
                r);
    }

    @Test
    void aLongFailureReasonIsCut() {
        SparkJson.Batch b = new SparkJson.Batch(1000, "COMPLETED", 3, 1L, 2L, 3L, 1, null);
        BatchRecord r = SparkJson.record("app-1", b, "x".repeat(5000), 2048);
        assertTrue(r.failed());
        assertEquals(2048, r.failureReason().length());
        BatchRecord ok =
                SparkJson.record(
                        "app-1",
                        new SparkJson.Batch(1000, "COMPLETED", 3, 1L, 2L, 3L, 0, null),
                        "ignored",
                        2048);
        assertFalse(ok.failed());
        assertNull(ok.failureReason());
    }

    @Test
    void fieldsSparkAddsAreIgnoredAndADateNotInSparksFormatIsUnknown() throws Exception {
        String answer =
                "[{\"streamId\":3,\"streamName\":\"r\",\"isActive\":false,\"newInSpark9\":{\"x\":[1]},"
                        + "\"lastErrorMessage\":\"boom\",\"lastErrorTime\":\"2026-11-21T19:58:15Z\"}]";
        assertEquals(
                List.of(new AppSnapshot.ReceiverView(3, "r", false, null, null, 1, "boom", null)),
                SparkJson.receivers(json(answer)));
        assertEquals(
                new SparkJson.Statistics(null, 500L),
                SparkJson.statistics(json("{\"batchDuration\":500,\"extra\":true}")));
    }

    @Test
    void anAnswerThatIsNotShapedLikeSparksIsRefusedNotReadAsEmpty() {
        assertThrows(
                JsonMappingException.class,
                () -> SparkJson.batches(json("{\"batchId\":1}")),
                "an object where Spark writes an array");
        assertThrows(
                JsonMappingException.class,
                () -> SparkJson.batches(json("[{\"status\":\"COMPLETED\"}]")),
                "a batch without its id");
        assertThrows(JsonMappingException.class, () -> SparkJson.statistics(json("null")));
        assertThrows(
                JsonMappingException.class,
                () -> SparkJson.statistics(json("{\"batchDuration\":{}}")));
        assertEquals(List.of(), assertDoesNotThrow(() -> SparkJson.applications(json("null"))));
    }
}
