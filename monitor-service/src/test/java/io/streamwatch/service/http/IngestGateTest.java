package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.ingest.RejectedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The two kinds of ingest slots: applying (CPU) and waiting for the disk. */
class IngestGateTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /**
     * Starts a request that applies at once and then waits for {@code disk} to be released; {@code
     * waiting} counts down once it waits (its applying slot given back).
     */
    private Future<String> waitingForTheDisk(
            IngestGate gate, CountDownLatch disk, CountDownLatch waiting) {
        return pool.submit(
                () ->
                        gate.run(
                                () -> "applied",
                                a -> {
                                    waiting.countDown();
                                    try {
                                        disk.await(10, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                    return a + ", stored";
                                }));
    }

    @Test
    void aRequestWaitingForTheDiskLeavesItsApplyingSlotToTheNext() throws Exception {
        IngestGate gate = new IngestGate(1);
        CountDownLatch disk = new CountDownLatch(1);
        CountDownLatch applied = new CountDownLatch(1);
        Future<String> first = waitingForTheDisk(gate, disk, applied);
        assertTrue(applied.await(10, TimeUnit.SECONDS));
        // the only applying slot is free again while the first request waits
        assertEquals("second", gate.run(() -> "second", a -> a));
        disk.countDown();
        assertEquals("applied, stored", first.get(10, TimeUnit.SECONDS));
    }

    @Test
    void whenTooManyWaitForTheDiskTheNextIsRefusedWith503BeforeItIsRead() throws Exception {
        IngestGate gate = new IngestGate(1);
        int capacity = 1 + IngestGate.WAITING_PER_WORKER;
        CountDownLatch disk = new CountDownLatch(1);
        CountDownLatch applied = new CountDownLatch(capacity);
        java.util.List<Future<String>> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < capacity; i++) waiting.add(waitingForTheDisk(gate, disk, applied));
        assertTrue(applied.await(10, TimeUnit.SECONDS));
        boolean[] read = {false};
        RejectedException e =
                assertThrows(
                        RejectedException.class,
                        () ->
                                gate.run(
                                        () -> {
                                            read[0] = true;
                                            return "";
                                        },
                                        a -> a));
        assertEquals(503, e.status());
        assertEquals(false, read[0], "refused before its body is read");
        assertTrue(e.getMessage().contains("ingest.maxConcurrentRequests"), e.getMessage());
        disk.countDown();
        for (Future<String> f : waiting)
            assertEquals("applied, stored", f.get(10, TimeUnit.SECONDS));
        assertEquals("after", gate.run(() -> "after", a -> a), "the slots are given back");
    }

    @Test
    void aRequestBeingAppliedHoldsTheOnlyApplyingSlot() throws Exception {
        IngestGate gate = new IngestGate(1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> busy =
                pool.submit(
                        () ->
                                gate.run(
                                        () -> {
                                            inside.countDown();
                                            try {
                                                release.await(10, TimeUnit.SECONDS);
                                            } catch (InterruptedException ex) {
                                                Thread.currentThread().interrupt();
                                            }
                                            return "done";
                                        },
                                        a -> a));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        RejectedException e =
                assertThrows(RejectedException.class, () -> gate.run(() -> "x", a -> a));
        assertEquals(503, e.status());
        release.countDown();
        assertEquals("done", busy.get(10, TimeUnit.SECONDS));
    }
}
