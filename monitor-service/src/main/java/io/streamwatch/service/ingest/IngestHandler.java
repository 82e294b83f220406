package io.streamwatch.service.ingest;

import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.state.AppLimitException;
import io.streamwatch.service.state.AppRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/events}: size limits (on the wire and after gzip), content negotiation,
 * strict decoding and parsing within a cap on the body bytes held for parsing at once ({@link
 * DecodingBudget}), the per-app rate limit, then one atomic apply. Every refusal happens before the
 * apply, so a rejected request changes nothing. Authentication happens before this is called.
 */
public final class IngestHandler {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    private final EventParser parser;
    private final AppRegistry registry;
    private final ServiceMetrics metrics;
    private final long maxBodyBytes;
    private final RateLimiter rateLimiter;
    private final DecodingBudget decoding;
    private final Semaphore cpu;
    private static final long DURABLE_TIMEOUT_SECONDS = 10;

    /** Requests decoded and applied at once by default: one per core, at least two. */
    static final int DEFAULT_CPU_SLOTS = Math.max(2, Runtime.getRuntime().availableProcessors());

    public IngestHandler(
            EventParser parser,
            AppRegistry registry,
            ServiceMetrics metrics,
            long maxBodyBytes,
            RateLimiter rateLimiter) {
        this(parser, registry, metrics, maxBodyBytes, rateLimiter, new DecodingBudget(0, 0));
    }

    /**
     * @param decoding the cap on body bytes held for parsing at once, shared by all requests
     */
    public IngestHandler(
            EventParser parser,
            AppRegistry registry,
            ServiceMetrics metrics,
            long maxBodyBytes,
            RateLimiter rateLimiter,
            DecodingBudget decoding) {
        this(parser, registry, metrics, maxBodyBytes, rateLimiter, decoding, DEFAULT_CPU_SLOTS);
    }

    /**
     * @param cpuSlots how many requests are decoded and applied at once; the others wait (their
     *     body read, holding no CPU) until one is done. That work only uses the CPU, so more at
     *     once than there are cores adds no throughput under load, and with dozens of ingest
     *     threads runnable a scrape of /metrics or a read of the API would get a dozenth of a core.
     */
    IngestHandler(
            EventParser parser,
            AppRegistry registry,
            ServiceMetrics metrics,
            long maxBodyBytes,
            RateLimiter rateLimiter,
            DecodingBudget decoding,
            int cpuSlots) {
        this.cpu = new Semaphore(cpuSlots, true);
        this.decoding = decoding;
        this.parser = parser;
        this.registry = registry;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.rateLimiter = rateLimiter;
    }

    /** What to answer: {@code {"accepted":N,"duplicates":M}}. */
    public record Accepted(int accepted, int duplicates) {}

    /**
     * @param contentLength declared length, or -1
     * @throws RejectedException with 400/408/413/415/429 (503 when the events could not be stored)
     */
    public Accepted handle(
            String contentType, String contentEncoding, long contentLength, InputStream body) {
        return handle(contentType, contentEncoding, contentLength, body, app -> {});
    }

    /**
     * As {@link #handle(String, String, long, InputStream)}, with {@code appCheck} run on the
     * envelope's {@code source.app} once it is parsed, before the rate limit and the apply: it
     * throws {@link RejectedException} for an app the sender may not write (a bound token).
     */
    public Accepted handle(
            String contentType,
            String contentEncoding,
            long contentLength,
            InputStream body,
            Consumer<String> appCheck) {
        return apply(contentType, contentEncoding, contentLength, body, appCheck).awaitDurable();
    }

    /**
     * Applied in memory, not yet acknowledged: {@link #awaitDurable} waits for the group commit
     * that makes it durable. The split lets a caller hold a concurrency slot only for the work that
     * uses the CPU (reading, decoding, applying), not for the wait on the disk.
     */
    public final class Pending {
        private final AppRegistry.Pending applied;
        private final int wireBytes;

        private Pending(AppRegistry.Pending applied, int wireBytes) {
            this.applied = applied;
            this.wireBytes = wireBytes;
        }

        /**
         * Must follow {@link IngestHandler#apply} on the same thread (it holds the app's write lock
         * until then).
         *
         * @throws RejectedException 503 when the events could not be stored (they were rolled back)
         */
        public Accepted awaitDurable() {
            AppRegistry.Result result = applied.finish();
            IngestHandler.awaitDurable(result);
            metrics.ingested(result.accepted(), result.duplicates(), wireBytes);
            return new Accepted(result.accepted(), result.duplicates());
        }
    }

    /**
     * The first half of {@link #handle(String, String, long, InputStream, Consumer)}: every check
     * and the apply; the answer follows from {@link Pending#awaitDurable()}.
     */
    public Pending apply(
            String contentType,
            String contentEncoding,
            long contentLength,
            InputStream body,
            Consumer<String> appCheck) {
        checkContentType(contentType);
        String enc =
                contentEncoding == null
                        ? "identity"
                        : contentEncoding.trim().toLowerCase(Locale.ROOT);
        if (!enc.equals("identity") && !enc.equals("gzip")) {
            throw new RejectedException(
                    415,
                    "Content-Encoding must be gzip or identity, got '"
                            + clip(contentEncoding)
                            + "'");
        }
        if (contentLength > maxBodyBytes) {
            throw tooLarge("body has " + contentLength + " bytes");
        }
        byte[] raw = readBody(body);
        cpu.acquireUninterruptibly();
        try {
            return decodeAndApply(raw, enc, appCheck);
        } finally {
            cpu.release();
        }
    }

    private Pending decodeAndApply(byte[] raw, String enc, Consumer<String> appCheck) {
        IngestBatch batch;
        try (DecodingBudget.Lease lease = decoding.lease()) {
            byte[] json;
            if (enc.equals("gzip")) {
                json =
                        GzipBody.decode(
                                raw,
                                maxBodyBytes,
                                lease,
                                "the limit is "
                                        + maxBodyBytes
                                        + " bytes (ingest.maxBodyBytes): send fewer events per"
                                        + " request");
            } else {
                lease.take(raw.length);
                json = raw;
            }
            batch = parser.parse(json);
        }
        String app = batch.source().app();
        appCheck.accept(app);
        long wait = rateLimiter.acquire(app);
        if (wait > 0) {
            throw new RejectedException(
                    429,
                    "too many requests for app '"
                            + clip(app)
                            + "': at most "
                            + number(rateLimiter.perSecond())
                            + " per second (bursts up to "
                            + number(rateLimiter.burst())
                            + ") per app (ingest.maxRequestsPerSecondPerApp); nothing was applied, retry after "
                            + wait
                            + " s",
                    wait);
        }
        try {
            return new Pending(registry.begin(batch), raw.length);
        } catch (AppLimitException e) {
            throw new RejectedException(e.status(), e.getMessage(), e.retryAfterSeconds());
        }
    }

    /**
     * {@code application/json}, optionally with {@code charset=utf-8}; any other type or charset is
     * 415.
     */
    private static void checkContentType(String contentType) {
        String[] parts = (contentType == null ? "" : contentType).split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            throw new RejectedException(
                    415, "Content-Type must be application/json, got '" + clip(contentType) + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String charset = param.substring(eq + 1).trim().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8")) {
                    throw new RejectedException(
                            415,
                            "Content-Type: the body must be UTF-8 JSON, got charset '"
                                    + clip(charset)
                                    + "'");
                }
            }
        }
    }

    /**
     * Reads the request body within the size limit. A body that ends before its Content-Length, has
     * broken chunked framing, or stops arriving is the client's problem: 400 (408 on a timeout).
     */
    private byte[] readBody(InputStream body) {
        try {
            return readLimited(body, "body");
        } catch (RejectedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (causedByTimeout(e)) {
                throw new RejectedException(
                        408,
                        "the request body did not arrive in time; nothing was applied, send it again");
            }
            throw RejectedException.badRequest(
                    "the request body could not be read: it ended before its Content-Length "
                            + "or its chunked encoding is broken; nothing was applied");
        }
    }

    private static boolean causedByTimeout(Throwable t) {
        for (int i = 0; t != null && i < 10; t = t.getCause(), i++) {
            if (t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.net.SocketTimeoutException) return true;
        }
        return false;
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /**
     * Acknowledge only what is on disk; a listener re-sends what was not acknowledged. A request
     * that could not be stored was rolled back by the registry, so its retry is applied afresh.
     */
    private static void awaitDurable(AppRegistry.Result r) {
        try {
            r.durable().get(DURABLE_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            Throwable cause =
                    e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            log.error(
                    "ingest: events could not be stored and were rolled back; answering 503",
                    cause);
            throw new RejectedException(
                    503,
                    "the service could not store these events; they were not acknowledged, retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedException(503, "the service is shutting down; retry later");
        }
    }

    private byte[] readLimited(InputStream in, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBodyBytes) {
                throw tooLarge(what + " exceeds the limit");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private RejectedException tooLarge(String what) {
        return new RejectedException(
                413,
                what
                        + "; the limit is "
                        + maxBodyBytes
                        + " bytes (ingest.maxBodyBytes): send fewer events per request");
    }

    private static String clip(String s) {
        if (s == null) return "";
        String c = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
