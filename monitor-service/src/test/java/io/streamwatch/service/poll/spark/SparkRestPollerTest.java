package io.streamwatch.service.poll.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamwatch.service.CapturedLogs;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.metrics.MetricCatalogue;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Events;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poller against Spark REST answers captured from a real driver, served over real HTTP on
 * loopback, feeding a real {@link AppRegistry}.
 */
class SparkRestPollerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final String COMPLETED = FakeDriver.STREAMING + "/batches?status=COMPLETED";
    private static final String STATISTICS = FakeDriver.STREAMING + "/statistics";

    private final Clock clock = Clock.systemUTC();
    private final AppRegistry registry =
            new AppRegistry(clock, 1000, 100, Duration.ofSeconds(30), Duration.ofHours(1));
    private final EventParser parser = new EventParser(clock, 1000);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
    }

    private <T extends AutoCloseable> T closed(T c) {
        closing.add(c);
        return c;
    }

    private SparkRestPoller poller(Duration requestTimeout, ServiceConfig.SparkTarget... targets) {
        return closed(
                        new SparkRestPoller(
                                new ServiceConfig.Spark(
                                        INTERVAL,
                                        List.of(targets),
                                        requestTimeout,
                                        4,
                                        ServiceConfig.Spark.PRIVATE_NETWORKS),
                                registry,
                                meters,
                                clock))
                .start();
    }

    private SparkRestPoller pollerAllowing(String networks, ServiceConfig.SparkTarget... targets) {
        return closed(
                        new SparkRestPoller(
                                new ServiceConfig.Spark(
                                        INTERVAL,
                                        List.of(targets),
                                        Duration.ofSeconds(2),
                                        4,
                                        networks),
                                registry,
                                meters,
                                clock))
                .start();
    }

    private static InetAddress loopback3() throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 3});
    }

    private SparkRestPoller poller(ServiceConfig.SparkTarget... targets) {
        return poller(Duration.ofSeconds(2), targets);
    }

    private AppSnapshot app(String app) {
        return registry.snapshot(app).orElse(null);
    }

    private Map<Long, BatchRecord> history(String app) {
        return registry.batches(app, 10_000).orElse(List.of()).stream()
                .collect(Collectors.toMap(BatchRecord::batchTime, r -> r));
    }

    /**
     * What the app's listener sends: its UI URL, streaming started, and whatever {@code more} adds.
     */
    private void listenerSends(
            String app, String appId, String ui, long queued, Consumer<Events> more) {
        Events e = Events.from(app, appId);
        ((ObjectNode) e.root().get("source")).put("uiUrl", ui);
        e.root().put("queued", queued);
        e.streamingStarted(clock.millis(), 1000);
        more.accept(e);
        registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
    }

    private static String completedWhere(
            java.util.function.Predicate<JsonNode> keep, Consumer<ObjectNode> edit)
            throws Exception {
        ArrayNode all = (ArrayNode) JSON.readTree(FakeDriver.fixture("batches-completed.json"));
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode b : all) {
            if (!keep.test(b)) continue;
            edit.accept((ObjectNode) b);
            out.add(b);
        }
        return out.toString();
    }

    private double polls(String result) {
        return meters.get(MetricCatalogue.REST_POLLS.meterName())
                .tag("result", result)
                .counter()
                .count();
    }

    @Test
    void aStaticTargetBecomesAnAppObservedFromItsRestApi() {
        FakeDriver driver = closed(FakeDriver.withCapturedApp());
        poller(new ServiceConfig.SparkTarget("rest only", driver.url()));

        Await.until(WAIT, "the static target to be observed", () -> app("rest only") != null);
        AppSnapshot a = app("rest only");
        assertEquals(FakeDriver.APP_ID, a.run().appId());
        assertEquals("3.5.3", a.run().sparkVersion());
        assertEquals(driver.url(), a.run().uiUrl());
        assertEquals(1000L, a.batchIntervalMs());
        assertEquals(
                1795291094145L,
                a.run().startTime(),
                "the application's start, as the listener reports it");
        assertEquals(4, a.waitingBatches(), "the QUEUED batches");
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
                a.receivers());
        assertEquals(Boolean.TRUE, a.rest().up());
        assertFalse(a.hasListener());
        assertEquals(
                AppSnapshot.RUNNING,
                a.state(),
                "a REST answer is the heartbeat of an app without a listener");
        Await.until(WAIT, "a counted and timed poll", () -> polls("ok") >= 1);
        assertTrue(meters.get(MetricCatalogue.REST_POLL_SECONDS.meterName()).timer().count() >= 1);
    }

    @Test
    void completedBatchesOfAStaticTargetAreBackfilledOnceEach() {
        FakeDriver driver = closed(FakeDriver.withCapturedApp());
        poller(new ServiceConfig.SparkTarget("rest only", driver.url()));

        Await.until(WAIT, "10 batches in history", () -> history("rest only").size() == 10);
        long polled = driver.requests(COMPLETED);
        Await.until(WAIT, "three more polls", () -> driver.requests(COMPLETED) >= polled + 3);

        Map<Long, BatchRecord> h = history("rest only");
        assertEquals(10, h.size());
        assertTrue(h.values().stream().allMatch(BatchRecord::backfilled), h.toString());
        long t = 1795291105000L;
        assertEquals(
                new BatchRecord(
                        FakeDriver.APP_ID,
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
                h.get(t));
        BatchRecord failed = h.get(FakeDriver.FAILED_BATCH);
        assertTrue(failed.failed());
        assertTrue(
                failed.failureReason()
                        .startsWith(
                                "java.lang.IllegalStateException: capture: synthetic output-op failure"),
                failed.failureReason());
        AppSnapshot a = app("rest only");
        assertEquals(
                10, a.batches().completed(), "polled again and again, each batch counted once");
        assertEquals(1, a.batches().failed());
        assertEquals(455, a.batches().records());
        assertEquals(
                0,
                driver.requests(
                        FakeDriver.STREAMING
                                + "/batches/"
                                + FakeDriver.FAILED_BATCH
                                + "/operations"),
                "Spark's firstFailureReason is enough");
    }

    @Test
    void withoutFirstFailureReasonTheReasonComesFromTheFailedBatchsOperationsOnce()
            throws Exception {
        FakeDriver driver = closed(FakeDriver.withCapturedApp());
        driver.answer(COMPLETED, completedWhere(b -> true, b -> b.remove("firstFailureReason")));
        poller(new ServiceConfig.SparkTarget("rest only", driver.url()));

        Await.until(WAIT, "10 batches in history", () -> history("rest only").size() == 10);
        long polled = driver.requests(COMPLETED);
        Await.until(WAIT, "two more polls", () -> driver.requests(COMPLETED) >= polled + 2);

        String expected =
                JSON.readTree(FakeDriver.fixture("operations-failed.json"))
                        .get(0)
                        .get("failureReason")
                        .asText();
        assertEquals(expected, history("rest only").get(FakeDriver.FAILED_BATCH).failureReason());
        List<String> operations =
                driver.requests().stream().filter(r -> r.endsWith("/operations")).toList();
        assertEquals(
                List.of(
                        FakeDriver.STREAMING
                                + "/batches/"
                                + FakeDriver.FAILED_BATCH
                                + "/operations"),
                operations,
                "only the failed batch, only once");
    }

    @Test
    void aListenerAppIsPolledAtItsOwnIdAndBackfilledOnlyWithWhatItsListenerDidNotSend() {
        FakeDriver driver = closed(FakeDriver.withCapturedApp());
        listenerSends(
                "with listener",
                FakeDriver.APP_ID,
                driver.url(),
                0,
                e ->
                        e.completed(1795291097000L, 9, 99, 7, null)
                                .completed(1795291098000L, 9, 99, 7, null)
                                .completed(1795291099000L, 9, 99, 7, null));
        poller();

        Await.until(
                WAIT,
                "the 7 batches the listener did not send",
                () -> history("with listener").size() == 10);
        Map<Long, BatchRecord> h = history("with listener");
        for (long t : List.of(1795291097000L, 1795291098000L, 1795291099000L)) {
            assertFalse(h.get(t).backfilled(), "the listener's own record stays: " + h.get(t));
            assertEquals(7, h.get(t).records());
        }
        assertEquals(7, h.values().stream().filter(BatchRecord::backfilled).count());
        AppSnapshot a = app("with listener");
        assertEquals(10, a.batches().completed());
        assertEquals(Boolean.TRUE, a.rest().up());
        assertEquals(
                0,
                driver.requests(""),
                "the listener's app id is used; /applications is not needed");
        assertEquals(
                0,
                driver.requests(FakeDriver.STREAMING + "/receivers"),
                "the listener's receivers are exact");
        assertEquals(0, driver.requests(FakeDriver.STREAMING + "/batches?status=QUEUED"));
    }

    @Test
    void aGapInTheListenersSequenceTriggersAnotherBackfillAndNothingElseDoes() throws Exception {
        FakeDriver driver = closed(FakeDriver.withCapturedApp());
        driver.answer(
                COMPLETED,
                completedWhere(b -> b.get("batchId").asLong() <= 1795291100000L, b -> {}));
        listenerSends("with listener", FakeDriver.APP_ID, driver.url(), 0, e -> {});
        poller();
        Await.until(
                WAIT,
                "the first backfill: the 5 batches Spark had then",
                () -> history("with listener").size() == 5);

        driver.answer(COMPLETED, FakeDriver.fixture("batches-completed.json"));
        long polls = driver.requests(STATISTICS);
        Await.until(WAIT, "three more polls", () -> driver.requests(STATISTICS) >= polls + 3);
        assertEquals(1, driver.requests(COMPLETED), "no gap, no backfill");
        assertEquals(5, history("with listener").size());

        Events gap = Events.from("with listener", FakeDriver.APP_ID).startingAt(20);
        ((ObjectNode) gap.root().get("source")).put("uiUrl", driver.url());
        gap.submitted(1795291106000L);
        registry.apply(parser.parse(gap.json().getBytes(StandardCharsets.UTF_8)));
        assertTrue(app("with listener").listener().eventsLost() > 0);

        Await.until(
                WAIT, "the batches lost in the gap", () -> history("with listener").size() == 10);
        assertTrue(history("with listener").values().stream().allMatch(BatchRecord::backfilled));
    }

    @Test
    void backfillWaitsAFewPollsWhileTheListenerStillHoldsQueuedEvents() {
        FakeDriver driver = closed(FakeDriver.withCapturedApp());
        listenerSends("busy listener", FakeDriver.APP_ID, driver.url(), 5, e -> {});
        poller();

        Await.until(
                WAIT,
                "the third poll",
                () -> driver.requests(STATISTICS) >= SparkRestPoller.MAX_DEFERRED_POLLS);
        assertEquals(
                0,
                driver.requests(COMPLETED),
                "deferred while the listener may still deliver them");
        Await.until(
                WAIT,
                "the backfill after the deferral",
                () -> history("busy listener").size() == 10);
        assertEquals(1, driver.requests(COMPLETED));
        assertTrue(driver.requests(STATISTICS) > SparkRestPoller.MAX_DEFERRED_POLLS);
    }

    @Test
    void aStoppedStreamingContextIsRestDownLoggedOnceAndItsRecoveryOnce() {
        try (CapturedLogs logs = new CapturedLogs("io.streamwatch.service.poll.spark")) {
            FakeDriver driver = closed(FakeDriver.withCapturedApp());
            listenerSends("stopping", FakeDriver.APP_ID, driver.url(), 0, e -> {});
            driver.answer(STATISTICS, 404, FakeDriver.fixture("statistics-after-stop.txt"));
            poller();

            Await.until(WAIT, "REST down", () -> Boolean.FALSE.equals(app("stopping").rest().up()));
            long polls = driver.requests(STATISTICS);
            Await.until(WAIT, "three more polls", () -> driver.requests(STATISTICS) >= polls + 3);
            assertEquals(1, logs.count("does not answer"), logs.lines().toString());
            assertTrue(
                    logs.lines().stream()
                            .anyMatch(
                                    l ->
                                            l.startsWith("WARN")
                                                    && l.contains("'stopping'")
                                                    && l.contains("HTTP 404")),
                    logs.lines().toString());
            assertTrue(
                    logs.lines().stream().noneMatch(l -> l.contains("\tat ")),
                    "no stack traces: " + logs.lines());
            assertTrue(polls("failed") >= 3);

            driver.answer(STATISTICS, FakeDriver.fixture("statistics.json"));
            Await.until(
                    WAIT, "REST up again", () -> Boolean.TRUE.equals(app("stopping").rest().up()));
            long again = driver.requests(STATISTICS);
            Await.until(WAIT, "three more polls", () -> driver.requests(STATISTICS) >= again + 3);
            assertEquals(1, logs.count("answers again"), logs.lines().toString());
            assertEquals(1, logs.count("does not answer"), logs.lines().toString());
        }
    }

    @Test
    void aListenerAppWhoseStreamingHasNotStartedYetIsNotHeldDown() {
        try (CapturedLogs logs = new CapturedLogs("io.streamwatch.service.poll.spark")) {
            FakeDriver driver = closed(FakeDriver.withCapturedApp());
            driver.answer(STATISTICS, 404, FakeDriver.fixture("statistics-after-stop.txt"));
            Events e = Events.from("starting", FakeDriver.APP_ID).heartbeat(clock.millis());
            ((ObjectNode) e.root().get("source")).put("uiUrl", driver.url());
            registry.apply(parser.parse(e.json().getBytes(StandardCharsets.UTF_8)));
            poller();

            Await.until(WAIT, "three polls", () -> driver.requests(STATISTICS) >= 3);
            assertNull(
                    app("starting").rest().up(),
                    "Spark answers 404 until the StreamingContext exists");
            assertEquals(0, logs.count("does not answer"), logs.lines().toString());

            driver.answer(STATISTICS, FakeDriver.fixture("statistics.json"));
            Await.until(
                    WAIT,
                    "REST up once streaming runs",
                    () -> Boolean.TRUE.equals(app("starting").rest().up()));
        }
    }

    @Test
    void aRefusedConnectionIsRestDown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (CapturedLogs logs = new CapturedLogs("io.streamwatch.service.poll.spark")) {
            listenerSends("gone", "app-gone", "http://127.0.0.1:" + port, 0, e -> {});
            poller();
            Await.until(WAIT, "REST down", () -> Boolean.FALSE.equals(app("gone").rest().up()));
            Await.until(WAIT, "the log line", () -> logs.count("connection refused") == 1);
        }
    }

    @Test
    void aDriverThatDoesNotAnswerInTimeIsRestDown() {
        try (CapturedLogs logs = new CapturedLogs("io.streamwatch.service.poll.spark")) {
            FakeDriver hung = closed(FakeDriver.hanging());
            listenerSends("hung", FakeDriver.APP_ID, hung.url(), 0, e -> {});
            poller(Duration.ofMillis(300));
            Await.until(WAIT, "REST down", () -> Boolean.FALSE.equals(app("hung").rest().up()));
            Await.until(WAIT, "the log line", () -> logs.count("no answer within 300 ms") == 1);
        }
    }

    @Test
    void aListenerAppWhoseUiPortNowServesAnotherAppIsRestDown() {
        FakeDriver other = closed(FakeDriver.withCapturedApp());
        listenerSends("moved", "app-that-died", other.url(), 0, e -> {});
        poller();
        Await.until(WAIT, "REST down", () -> Boolean.FALSE.equals(app("moved").rest().up()));
        assertNull(app("moved").lastBatch(), "nothing of the other app lands in this one");
    }

    @Test
    void aHungDriverDelaysNeitherOtherDriversNorItsOwnNextPolls() {
        FakeDriver hung = closed(FakeDriver.hanging());
        FakeDriver healthy = closed(FakeDriver.withCapturedApp());
        poller(
                Duration.ofSeconds(10),
                new ServiceConfig.SparkTarget("hung", hung.url()),
                new ServiceConfig.SparkTarget("healthy", healthy.url()));

        Await.until(
                Duration.ofSeconds(5),
                "five polls of the healthy driver while the other hangs (timeout 10 s)",
                () -> healthy.requests(STATISTICS) >= 5);
        assertEquals(Boolean.TRUE, app("healthy").rest().up());
        assertEquals(
                List.of(""),
                hung.requests(),
                "one poll of the hung driver in flight, never a second on top");
        assertNull(app("hung"), "a target that never answered is not an app");
    }

    @Test
    void theRegistryKeepsEachBatchOnceWhateverTheSource() {
        long t = clock.millis() / 1000 * 1000 - 10_000;
        listenerSends("once", "app-1", "http://127.0.0.1:1", 0, e -> e.completed(t, 1, 2, 3, null));
        BatchRecord fromRest =
                new BatchRecord("app-1", t, t, t + 1, t + 3, 1, 2, 3, 3, false, null, true);
        BatchRecord newer =
                new BatchRecord(
                        "app-1", t + 1000, t + 1000, t + 1001, t + 1003, 1, 2, 3, 3, false, null,
                        true);
        assertEquals(
                1,
                registry.backfill("once", "app-1", List.of(fromRest, newer)),
                "only the batch it did not hold");
        assertEquals(0, registry.backfill("once", "app-1", List.of(fromRest, newer)));
        assertFalse(history("once").get(t).backfilled(), "the listener's record is kept");
        assertEquals(2, app("once").batches().completed());
    }

    @Test
    void aReportedUiOutsideTheAllowedNetworksIsNeverContactedAndTheAppSaysWhy() throws Exception {
        FakeDriver outside = closed(FakeDriver.withCapturedAppOn(loopback3()));
        FakeDriver inside = closed(FakeDriver.withCapturedApp());
        CapturedLogs logs = closed(new CapturedLogs(SparkRestPoller.class.getName()));
        listenerSends("outside", FakeDriver.APP_ID, outside.url(), 0, e -> {});
        listenerSends("inside", FakeDriver.APP_ID, inside.url(), 0, e -> {});
        pollerAllowing("127.0.0.1/32");

        Await.until(WAIT, "the allowed UI is polled", () -> inside.requests(STATISTICS) >= 3);
        assertEquals(List.of(), outside.requests(), "the UI on 127.0.0.3 was contacted");
        assertEquals(
                "ui host 127.0.0.3 is outside spark.allowedUiNetworks [127.0.0.1/32]",
                app("outside").rest().refused());
        assertNull(app("outside").rest().up(), "never polled: up is unknown");
        assertNull(app("inside").rest().refused());
        assertEquals(Boolean.TRUE, app("inside").rest().up());
        assertEquals(
                1,
                logs.count("is not polled: ui host 127.0.0.3"),
                "refusal logged once: " + logs.lines());
    }

    @Test
    void aStaticTargetIsTrustedOutsideTheAllowedNetworks() throws Exception {
        FakeDriver driver = closed(FakeDriver.withCapturedAppOn(loopback3()));
        pollerAllowing("127.0.0.1/32", new ServiceConfig.SparkTarget("static", driver.url()));
        Await.until(
                WAIT,
                "the configured target is polled",
                () -> app("static") != null && Boolean.TRUE.equals(app("static").rest().up()));
        assertNull(app("static").rest().refused());
    }

    @Test
    void aRedirectToAnotherHostIsNotFollowed() throws Exception {
        FakeDriver outside = closed(FakeDriver.withCapturedAppOn(loopback3()));
        FakeDriver inside = closed(FakeDriver.withCapturedApp());
        inside.redirect(STATISTICS, outside.url() + "/api/v1/applications" + STATISTICS);
        listenerSends("redirecting", FakeDriver.APP_ID, inside.url(), 0, e -> {});
        pollerAllowing("127.0.0.1/32");
        Await.until(WAIT, "polled twice", () -> inside.requests(STATISTICS) >= 2);
        assertEquals(List.of(), outside.requests(), "the redirect was followed to 127.0.0.3");
    }

    @Test
    void aUiNamedByHostNameIsResolvedCheckedAndPolled() {
        FakeDriver driver = closed(FakeDriver.withCapturedApp());
        String byName = driver.url().replace("127.0.0.1", "localhost");
        listenerSends("named", FakeDriver.APP_ID, byName, 0, e -> {});
        pollerAllowing("127.0.0.1/32");
        Await.until(WAIT, "the named UI is polled", () -> driver.requests(STATISTICS) >= 2);
        assertNull(app("named").rest().refused());
    }
}
