package io.streamwatch.service.http;

import io.streamwatch.service.ingest.RejectedException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Bounds what slow or numerous ingest requests can hold: at most {@code
 * ingest.maxConcurrentRequests} are read, decoded and applied at once, and at most {@value
 * #WAITING_PER_WORKER} times as many more are in progress besides: waiting for the disk to
 * acknowledge what they applied (one group commit serves all of them, so a request that waits uses
 * no CPU and no slot of the first kind), or queued for a slot of the first kind, at most {@value
 * #QUEUE_MILLIS} ms. A burst (thousands of drivers whose batches end in the same second, a
 * collection pause) is queued for milliseconds instead of refused. The others are answered 503 with
 * {@code Retry-After}, before their body is read, so Jetty's workers stay free for {@code
 * /healthz}, {@code /metrics} and the read API, also when the disk stalls. A body slower than
 * {@code ingest.minBodyBytesPerSecond} is cut off by Jetty ({@link #bodyOf}) and answered 408 like
 * a body that stopped arriving.
 */
final class IngestGate {
    static final long RETRY_AFTER_SECONDS = 1;
    static final int WAITING_PER_WORKER = 4;

    /** How long a request in progress may wait for a slot to be read and applied. */
    static final long QUEUE_MILLIS = 500;

    private final Semaphore working;
    private final Semaphore inFlight;
    private final int max;

    IngestGate(int maxConcurrentRequests) {
        this.max = maxConcurrentRequests;
        this.working = new Semaphore(maxConcurrentRequests);
        this.inFlight = new Semaphore(maxConcurrentRequests * (1 + WAITING_PER_WORKER));
    }

    /**
     * Runs {@code work} holding a working slot, then {@code await} on its result holding only an
     * in-flight slot; refuses the request with 503 when no in-flight slot is free, or no working
     * slot frees up within {@value #QUEUE_MILLIS} ms.
     */
    <P, R> R run(Supplier<P> work, Function<P, R> await) {
        if (!inFlight.tryAcquire()) {
            throw busy(
                    (max * WAITING_PER_WORKER)
                            + " more are in progress, waiting for their turn or for the disk to"
                            + " store what they applied (the service is short of CPU or the"
                            + " store is slow)");
        }
        try {
            if (!acquireWorking()) throw busy("and none finished within " + QUEUE_MILLIS + " ms");
            P applied;
            try {
                applied = work.get();
            } finally {
                working.release();
            }
            return await.apply(applied);
        } finally {
            inFlight.release();
        }
    }

    /** Requests queued for a working slot right now. */
    int queued() {
        return working.getQueueLength();
    }

    private boolean acquireWorking() {
        try {
            return working.tryAcquire(QUEUE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private RejectedException busy(String what) {
        return new RejectedException(
                503,
                "too many ingest requests at once: at most "
                        + max
                        + " are read and applied concurrently (ingest.maxConcurrentRequests), "
                        + what
                        + "; nothing was applied, retry after "
                        + RETRY_AFTER_SECONDS
                        + " s",
                RETRY_AFTER_SECONDS);
    }

    /**
     * The request body, where Jetty's refusal of a too slow body (its minimum request data rate)
     * reads as the timeout it is, so it is answered 408 and the listener retries.
     */
    static InputStream bodyOf(InputStream body) {
        return new FilterInputStream(body) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (BadMessageException e) {
                    throw timeout(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (BadMessageException e) {
                    throw timeout(e);
                }
            }
        };
    }

    private static IOException timeout(BadMessageException e) {
        if (e.getCode() != HttpStatus.REQUEST_TIMEOUT_408) throw e;
        SocketTimeoutException t = new SocketTimeoutException("request body too slow");
        t.initCause(e);
        return t;
    }
}
