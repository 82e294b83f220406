package io.streamwatch.service.http;

import io.streamwatch.service.ingest.RejectedException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Bounds what slow or numerous ingest requests can hold: at most {@code
 * ingest.maxConcurrentRequests} are read and applied at once, and the others are answered 503 with
 * {@code Retry-After} at once, before their body is read, so Jetty's workers stay free for {@code
 * /healthz}, {@code /metrics} and the read API. A body slower than {@code
 * ingest.minBodyBytesPerSecond} is cut off by Jetty ({@link #bodyOf}) and answered 408 like a body
 * that stopped arriving.
 */
final class IngestGate {
    static final long RETRY_AFTER_SECONDS = 1;

    private final Semaphore permits;
    private final int max;

    IngestGate(int maxConcurrentRequests) {
        this.max = maxConcurrentRequests;
        this.permits = new Semaphore(maxConcurrentRequests);
    }

    /** Runs {@code request} holding a permit, or refuses it with 503 when none is free. */
    void run(Runnable request) {
        if (!permits.tryAcquire()) {
            throw new RejectedException(
                    503,
                    "too many ingest requests at once: at most "
                            + max
                            + " are handled concurrently (ingest.maxConcurrentRequests); nothing"
                            + " was applied, retry after "
                            + RETRY_AFTER_SECONDS
                            + " s",
                    RETRY_AFTER_SECONDS);
        }
        try {
            request.run();
        } finally {
            permits.release();
        }
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
