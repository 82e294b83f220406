package io.streamwatch.service.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A cap on the request-body bytes the service holds for parsing at once, over all concurrent
 * requests ({@code ingest.maxDecodingBytes}): decompressed gzip bytes as they are inflated, and
 * plain bodies once read. Parsing costs memory in proportion to these bytes, so many concurrent
 * gzip bombs cannot exhaust the heap: a request that would cross the cap is refused at once with
 * 503 and {@code Retry-After}, and nothing of it is applied.
 */
public final class DecodingBudget {
    private final long capacity;
    private final AtomicLong inUse = new AtomicLong();

    /**
     * @param capacity bytes; raised to {@code maxBodyBytes} so that one body at the limit always
     *     fits
     */
    public DecodingBudget(long capacity, long maxBodyBytes) {
        this.capacity = Math.max(capacity, maxBodyBytes);
    }

    long inUse() {
        return inUse.get();
    }

    /** What one request holds; closing it gives everything back. */
    Lease lease() {
        return new Lease();
    }

    final class Lease implements AutoCloseable {
        private long held;

        /** Takes {@code n} more bytes, or refuses the request with 503 when the cap is reached. */
        void take(long n) {
            long now = inUse.addAndGet(n);
            if (now > capacity) {
                inUse.addAndGet(-n);
                throw new RejectedException(
                        503,
                        "the service is decoding too many request bodies at once (at most "
                                + capacity
                                + " bytes, ingest.maxDecodingBytes); nothing was applied, retry"
                                + " after 1 s",
                        1);
            }
            held += n;
        }

        @Override
        public void close() {
            inUse.addAndGet(-held);
            held = 0;
        }
    }
}
