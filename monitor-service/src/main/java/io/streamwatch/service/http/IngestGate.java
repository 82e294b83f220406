package io.streamwatch.service.http;

import io.streamwatch.service.ingest.RejectedException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Bounds what slow or numerous ingest requests can hold: at most {@code
 * ingest.maxConcurrentRequests} are read, decoded and applied at once, and at most {@value
 * #WAITING_PER_WORKER} times as many more wait for the disk to acknowledge what they applied (one
 * group commit serves all of them, so a request that waits uses no CPU and no slot of the first
 * kind). The others are answered 503 with {@code Retry-After} at once, before their body is read,
 * so Jetty's workers stay free for {@code /healthz}, {@code /metrics} and the read API, also when
 * the disk stalls. A body slower than {@code ingest.minBodyBytesPerSecond} is cut off by Jetty
 * ({@link #bodyOf}) and answered 408 like a body that stopped arriving.
 */
final class IngestGate {
    static final long RETRY_AFTER_SECONDS = 1;
    static final int WAITING_PER_WORKER = 4;

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
     * in-flight slot; refuses the request with 503 when either kind of slot is not free.
     */
    <P, R> R run(Supplier<P> work, Function<P, R> await) {
        if (!inFlight.tryAcquire()) {
            throw busy(
                    (max * WAITING_PER_WORKER)
                            + " more wait for the disk to store what they applied (the store is"
                            + " slow)");
        }
        try {
            if (!working.tryAcquire()) throw busy("the others wait");
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
