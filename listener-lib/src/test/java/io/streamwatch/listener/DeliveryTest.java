package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.T0;
import static io.streamwatch.listener.SparkEvents.conf;
import static io.streamwatch.listener.SparkEvents.wrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchSubmitted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the listener behaves when the service is slow, down, or says no. */
class DeliveryTest {
    private final Harness harness = new Harness();

    @AfterEach
    void cleanUp() {
        harness.close();
    }

    private FakeService service(int port) throws Exception {
        return harness.service(port);
    }

    private StreamwatchListener listener(SparkConf conf) {
        return harness.listener(conf);
    }

    private static SparkListenerEvent submitted(long batchTime) {
        return wrap(
                new StreamingListenerBatchSubmitted(SparkEvents.batch(batchTime, 1, null, null)));
    }

    private static SparkListenerEvent completed(long batchTime) {
        return wrap(
                new StreamingListenerBatchCompleted(
                        SparkEvents.batch(batchTime, 1, batchTime + 5, batchTime + 50)));
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void aFullBufferDropsTheOldestEventsWithoutBlockingTheBus() throws Exception {
        FakeService svc = service(0);
        CountDownLatch release = new CountDownLatch(1);
        svc.respondWith(
                (envelope, index) -> {
                    release.await();
                    return 200;
                });
        int total = 50_000;
        int buffer = 1000;
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                svc.url(),
                                "spark.app.id",
                                "app-x",
                                ListenerConfig.BUFFER_SIZE,
                                String.valueOf(buffer),
                                ListenerConfig.FLUSH_INTERVAL_MS,
                                "20"));
        SparkListenerEvent[] events = new SparkListenerEvent[total];
        for (int i = 0; i < total; i++) {
            events[i] = submitted(T0 + i * 1000L);
        }
        l.onOtherEvent(events[0]);
        Await.until("the first request to hang at the service", 10_000, () -> svc.arrived() == 1);

        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> {
                    for (int i = 1; i < total; i++) {
                        l.onOtherEvent(events[i]);
                    }
                });
        assertTrue(svc.requests().isEmpty(), "the service was still hanging during the burst");
        assertEquals(total - 1 - buffer, l.dropped(), "all but the newest " + buffer + " dropped");
        assertEquals(0, l.callbackErrors());

        release.countDown();
        Await.until(
                "the newest event at the service",
                15_000,
                () -> svc.acceptedSeqs().contains((long) total));
        List<Long> seqs = svc.acceptedSeqs();
        List<Long> expected = new ArrayList<>();
        expected.add(1L);
        expected.addAll(range(total - buffer + 1, total));
        assertEquals(expected, seqs, "the first (in flight) event, then the newest " + buffer);
        List<FakeService.Request> requests = svc.requests();
        JsonNode last = requests.get(requests.size() - 1).envelope;
        assertEquals(total - seqs.size(), last.get("dropped").asLong());
    }

    @Test
    void eventsSurviveAServiceThatIsDownAndComesBackExactlyOnceInOrder() throws Exception {
        int port = FakeService.freePort();
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                "http://127.0.0.1:" + port,
                                ListenerConfig.FLUSH_INTERVAL_MS,
                                "20"));
        l.onApplicationStart(SparkEvents.appStart("app", "app-down-up", null, T0, "u"));
        for (int i = 0; i < 20; i++) {
            l.onOtherEvent(submitted(T0 + i * 1000L));
        }
        l.onOtherEvent(completed(T0));
        Thread.sleep(700); // let several connection attempts fail; not an assertion
        FakeService svc = service(port);
        Await.until(
                "all 22 events after the service came back",
                20_000,
                () -> svc.acceptedSeqs().size() >= 22);
        l.onOtherEvent(completed(T0 + 1000));
        Await.until("one more event", 10_000, () -> svc.acceptedSeqs().size() >= 23);
        assertEquals(range(1, 23), svc.acceptedSeqs(), "every event once, in seq order");
        assertEquals(0, svc.requests().get(0).envelope.get("dropped").asLong());
    }

    @Test
    void tooLargeRequestsAreSplitAndASingleTooLargeEventIsDropped() throws Exception {
        FakeService svc = service(0);
        long poison = T0 + 3000;
        svc.respondWith(
                (envelope, index) -> {
                    JsonNode events = envelope.get("events");
                    if (events.size() > 2) {
                        return 413;
                    }
                    for (JsonNode e : events) {
                        if (e.has("batch") && e.get("batch").get("batchTime").asLong() == poison) {
                            return 413;
                        }
                    }
                    return 200;
                });
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                svc.url(),
                                "spark.app.id",
                                "app-413",
                                ListenerConfig.FLUSH_INTERVAL_MS,
                                "500"));
        for (int i = 0; i < 7; i++) {
            l.onOtherEvent(submitted(T0 + i * 1000L)); // seq 4 carries the poison batch time
        }
        Await.until("six deliverable events", 10_000, () -> svc.acceptedSeqs().size() >= 6);
        assertEquals(Arrays.asList(1L, 2L, 3L, 5L, 6L, 7L), svc.acceptedSeqs());
        int tooLarge = 0;
        for (FakeService.Request r : svc.requests()) {
            if (r.status == 413) {
                tooLarge++;
            } else {
                assertTrue(r.events().size() <= 2);
            }
        }
        assertTrue(tooLarge >= 2, "the 7-event batch and the poison event were refused");

        l.onOtherEvent(completed(T0 + 10_000));
        Await.until("delivery to go on", 10_000, () -> svc.acceptedSeqs().contains(8L));
        for (FakeService.Request r : svc.requests()) {
            if (r.accepted()) {
                assertFalse(r.seqs().contains(4L));
            }
        }
    }

    @Test
    void unauthorizedRequestsAreDroppedWithoutRetry() throws Exception {
        FakeService svc = service(0);
        svc.respondWith((envelope, index) -> index == 0 ? 401 : 200);
        StreamwatchListener l =
                listener(
                        conf(
                                ListenerConfig.URL,
                                svc.url(),
                                "spark.app.id",
                                "app-401",
                                ListenerConfig.TOKEN,
                                "wrong-token"));
        l.onOtherEvent(completed(T0));
        Await.until("the refused request", 10_000, () -> svc.requests().size() == 1);
        l.onOtherEvent(completed(T0 + 1000));
        Await.until("the next event", 10_000, () -> svc.acceptedSeqs().contains(2L));
        List<FakeService.Request> requests = svc.eventRequests();
        assertEquals(2, requests.size(), "no retry of the refused request");
        assertEquals(401, requests.get(0).status);
        assertEquals(Arrays.asList(1L), requests.get(0).seqs());
        assertEquals(Arrays.asList(2L), requests.get(1).seqs());
    }

    @Test
    void unavailableServiceIsRetriedUntilItAccepts() throws Exception {
        FakeService svc = service(0);
        svc.respondWith((envelope, index) -> index < 2 ? 503 : 200);
        StreamwatchListener l =
                listener(conf(ListenerConfig.URL, svc.url(), "spark.app.id", "app-503"));
        l.onOtherEvent(completed(T0));
        Await.until("the event accepted", 10_000, () -> svc.acceptedSeqs().contains(1L));
        List<FakeService.Request> requests = svc.eventRequests();
        List<Integer> statuses = new ArrayList<>();
        Set<List<Long>> bodies = new HashSet<>();
        for (FakeService.Request r : requests) {
            statuses.add(r.status);
            bodies.add(r.seqs());
        }
        assertEquals(Arrays.asList(503, 503, 200), statuses);
        assertEquals(1, bodies.size(), "the same batch was retried: " + bodies);
    }
}
