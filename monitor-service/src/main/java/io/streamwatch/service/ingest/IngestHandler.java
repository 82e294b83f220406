package io.streamwatch.service.ingest;

import io.streamwatch.service.metrics.ServiceMetrics;
import io.streamwatch.service.model.IngestBatch;
import io.streamwatch.service.state.AppRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * {@code POST /api/v1/events}: size limits (on the wire and after gzip), content negotiation,
 * strict parsing, then one atomic apply. Authentication happens before this is called.
 */
public final class IngestHandler {
    private final EventParser parser;
    private final AppRegistry registry;
    private final ServiceMetrics metrics;
    private final long maxBodyBytes;
    private final Consumer<String> applied;
    private static final long DURABLE_TIMEOUT_SECONDS = 10;

    /** @param applied told the app key after each applied request (the alert engine evaluates it at once) */
    public IngestHandler(EventParser parser, AppRegistry registry, ServiceMetrics metrics, long maxBodyBytes,
                         Consumer<String> applied) {
        this.parser = parser;
        this.registry = registry;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.applied = applied;
    }

    /** What to answer: {@code {"accepted":N,"duplicates":M}}. */
    public record Accepted(int accepted, int duplicates) {}

    /**
     * @param contentLength declared length, or -1
     * @throws RejectedException with 400/413/415/429
     */
    public Accepted handle(String contentType, String contentEncoding, long contentLength, InputStream body) throws IOException {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json")) {
            throw new RejectedException(415, "Content-Type must be application/json, got '" + clip(contentType) + "'");
        }
        String enc = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        if (!enc.equals("identity") && !enc.equals("gzip")) {
            throw new RejectedException(415, "Content-Encoding must be gzip or identity, got '" + clip(contentEncoding) + "'");
        }
        if (contentLength > maxBodyBytes) {
            throw tooLarge("body has " + contentLength + " bytes");
        }
        byte[] raw = readLimited(body, "body");
        byte[] json = raw;
        if (enc.equals("gzip")) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                json = readLimited(in, "decompressed body");
            } catch (ZipException | java.io.EOFException e) {
                throw RejectedException.badRequest("body is not valid gzip (Content-Encoding: gzip): " + e.getMessage());
            }
        }
        IngestBatch batch = parser.parse(json);
        AppRegistry.Result r = registry.apply(batch);
        awaitDurable(r);
        metrics.ingested(r.accepted(), r.duplicates(), raw.length);
        if (r.accepted() > 0) applied.accept(batch.source().app());
        return new Accepted(r.accepted(), r.duplicates());
    }

    /** Acknowledge only what is on disk; a listener re-sends what was not acknowledged. */
    private static void awaitDurable(AppRegistry.Result r) {
        try {
            r.durable().get(DURABLE_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new RejectedException(503, "the service could not store these events ("
                    + (cause == null ? "timeout" : cause.getMessage()) + "); they were not acknowledged, retry later");
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
        return new RejectedException(413, what + "; the limit is " + maxBodyBytes
                + " bytes (ingest.maxBodyBytes): send fewer events per request");
    }

    private static String clip(String s) {
        if (s == null) return "";
        String c = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
