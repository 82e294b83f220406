package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which answers the shipper retries, and how long it waits, on a virtual clock: the shipper's waits
 * advance the clock instead of sleeping, and the fake service notes the clock when each request
 * arrives.
 */
class RetryTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final VirtualTime time = new VirtualTime(T0);
    private final EventQueue queue = new EventQueue(100);
    private long seq;

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Shipper waits move this clock forward at once and are recorded. */
    private static final class VirtualTime implements Shipper.Sleeper, LongSupplier {
        private final AtomicLong nowMs;
        private final List<Long> waitsMs = Collections.synchronizedList(new ArrayList<Long>());
        private volatile Runnable onFirstWait;

        VirtualTime(long startMs) {
            nowMs = new AtomicLong(startMs);
        }

        @Override
        public void sleep(Object monitor, long nanos) {
            long ms = (nanos + 999_999) / 1_000_000;
            waitsMs.add(ms);
            nowMs.addAndGet(ms);
            Runnable hook = onFirstWait;
            onFirstWait = null;
            if (hook != null) {
                hook.run();
            }
        }

        @Override
        public long getAsLong() {
            return nowMs.get();
        }

        List<Long> waits() {
            synchronized (waitsMs) {
                return new ArrayList<>(waitsMs);
            }
        }
    }

    private FakeService service() throws Exception {
        FakeService svc = FakeService.start();
        open.add(svc);
        return svc;
    }

    /**
     * Answers {@code first} to the first request and 200 after; notes the virtual arrival times.
     */
    private List<Long> answerThenAccept(FakeService svc, final int... first) {
        final List<Long> arrivals = Collections.synchronizedList(new ArrayList<Long>());
        svc.respondWith(
                (envelope, index) -> {
                    arrivals.add(time.getAsLong());
                    return index < first.length ? first[index] : 200;
                });
        return arrivals;
    }

    private void startShipper(String url) throws Exception {
        SparkEnvironment env =
                new SparkEnvironment() {
                    @Override
                    public Long batchIntervalMs() {
                        return 1000L;
                    }

                    @Override
                    public String uiUrl() {
                        return null;
                    }

                    @Override
                    public String sparkVersion() {
                        return "3.5.3";
                    }

                    @Override
                    public String hostName() {
                        return "test-host";
                    }
                };
        JsonFactory json = new JsonFactory();
        Shipper shipper =
                new Shipper(
                        queue,
                        new EventEncoder(json, env),
                        new SourceInfo("retry-app", "app-retry", "instance-1", "test", env),
                        new EnvelopeWriter(json),
                        new HttpTransport(url, null, null, null, 2000, 10_000),
                        new Backoff(200, 30_000, () -> 0.5),
                        time,
                        time,
                        20,
                        3_600_000,
                        100,
                        null);
        open.add(shipper::stop);
        shipper.start();
    }

    /** Queues a batchCompleted (urgent: shipped at once) and returns its seq. */
    private long completed() {
        long n = ++seq;
        long batchTime = T0 + n * 1000;
        queue.offer(
                new QueuedEvent(
                        n,
                        time.getAsLong(),
                        new StreamingListenerBatchCompleted(
                                SparkEvents.batch(batchTime, 1, batchTime + 5, batchTime + 50))));
        return n;
    }

    private static List<Integer> statuses(FakeService svc) {
        List<Integer> out = new ArrayList<>();
        for (FakeService.Request r : svc.eventRequests()) {
            out.add(r.status);
        }
        return out;
    }

    private static List<List<Long>> seqs(FakeService svc) {
        List<List<Long>> out = new ArrayList<>();
        for (FakeService.Request r : svc.eventRequests()) {
            out.add(r.seqs());
        }
        return out;
    }

    @Test
    void a503WithRetryAfterTwoSecondsIsNotRetriedBeforeTwoSeconds() throws Exception {
        FakeService svc = service();
        List<Long> arrivals = answerThenAccept(svc, 503);
        svc.retryAfter("2");
        startShipper(svc.url());
        completed();
        Await.until("the batch accepted", 10_000, () -> svc.acceptedSeqs().contains(1L));

        assertEquals(Arrays.asList(503, 200), statuses(svc));
        assertEquals(Arrays.asList(Arrays.asList(1L), Arrays.asList(1L)), seqs(svc), "same batch");
        assertTrue(
                arrivals.get(1) - arrivals.get(0) >= 2000,
                "retried "
                        + (arrivals.get(1) - arrivals.get(0))
                        + " ms after the 503, not 2000 or more");
    }

    @Test
    void a429WithAnHttpDateWaitsUntilThatDate() throws Exception {
        FakeService svc = service();
        List<Long> arrivals = answerThenAccept(svc, 429);
        svc.retryAfter(
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        Instant.ofEpochMilli(time.getAsLong() + 5000).atOffset(ZoneOffset.UTC)));
        startShipper(svc.url());
        completed();
        Await.until("the batch accepted", 10_000, () -> svc.acceptedSeqs().contains(1L));

        assertEquals(Arrays.asList(429, 200), statuses(svc));
        assertTrue(
                arrivals.get(1) - arrivals.get(0) >= 5000,
                "retried " + (arrivals.get(1) - arrivals.get(0)) + " ms after the 429");
    }

    @Test
    void aHugeRetryAfterIsCappedAtOneMinute() throws Exception {
        FakeService svc = service();
        List<Long> arrivals = answerThenAccept(svc, 503);
        svc.retryAfter("86400");
        startShipper(svc.url());
        completed();
        Await.until("the batch accepted", 10_000, () -> svc.acceptedSeqs().contains(1L));

        assertEquals(Backoff.MAX_RETRY_AFTER_MS, arrivals.get(1) - arrivals.get(0));
    }

    @Test
    void a500AndA400AreDroppedWithOneLogLineAndNotRetried() throws Exception {
        FakeService svc = service();
        answerThenAccept(svc, 500, 400);
        try (CapturedLog log = new CapturedLog()) {
            startShipper(svc.url());
            completed();
            Await.until("the first request", 10_000, () -> svc.arrived() == 1);
            completed();
            Await.until("the second request", 10_000, () -> svc.arrived() == 2);
            completed();
            Await.until("the third batch accepted", 10_000, () -> svc.acceptedSeqs().contains(3L));

            assertEquals(Arrays.asList(500, 400, 200), statuses(svc), "no request was sent twice");
            assertEquals(
                    Arrays.asList(Arrays.asList(1L), Arrays.asList(2L), Arrays.asList(3L)),
                    seqs(svc));
            assertEquals(Collections.emptyList(), time.waits(), "nothing waited for a retry");
            List<String> warnings = log.matching("answered HTTP 500", "dropped 1 events");
            assertEquals(1, warnings.size(), log.lines().toString());
        }
    }

    @Test
    void a502IsRetriedWithBackoff() throws Exception {
        FakeService svc = service();
        answerThenAccept(svc, 502, 504);
        startShipper(svc.url());
        completed();
        Await.until("the batch accepted", 10_000, () -> svc.acceptedSeqs().contains(1L));

        assertEquals(Arrays.asList(502, 504, 200), statuses(svc));
        assertEquals(
                Arrays.asList(Arrays.asList(1L), Arrays.asList(1L), Arrays.asList(1L)),
                seqs(svc),
                "the same batch each time");
        assertEquals(Arrays.asList(100L, 200L), time.waits(), "half of 200 ms, then of 400 ms");
    }

    @Test
    void theServices408ForABodyThatStoppedArrivingIsRetried() throws Exception {
        FakeService svc = service();
        answerThenAccept(svc, 408);
        startShipper(svc.url());
        completed();
        Await.until("the batch accepted", 10_000, () -> svc.acceptedSeqs().contains(1L));

        assertEquals(Arrays.asList(408, 200), statuses(svc), "sent again after the 408");
    }

    @Test
    void aRefusedConnectionIsRetried() throws Exception {
        int port = FakeService.freePort();
        List<FakeService> started = new ArrayList<>();
        time.onFirstWait =
                () -> {
                    try {
                        FakeService svc = FakeService.start(port);
                        open.add(svc);
                        started.add(svc);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
        startShipper("http://127.0.0.1:" + port);
        completed();
        Await.until(
                "the service to start after the first refused attempt",
                10_000,
                () -> !started.isEmpty());
        FakeService svc = started.get(0);
        Await.until("the batch accepted", 10_000, () -> svc.acceptedSeqs().contains(1L));

        assertEquals(Arrays.asList(200), statuses(svc), "one request reached it: the retry");
        assertEquals(Arrays.asList(1L), svc.acceptedSeqs());
    }
}
