package io.streamwatch.service.poll.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.streamwatch.service.state.AppSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * GETs of one Spark driver's REST API, each bounded by the request timeout (connect, read and the
 * whole call). Every failure becomes a {@link SparkRestException} whose message says what happened
 * in a few words, fit for a log line.
 */
final class SparkRestClient implements AutoCloseable {
    private final OkHttpClient http;
    private final Duration timeout;

    /**
     * Never follows a redirect, never goes through a proxy, and never looks a host up: a client
     * {@link #pinnedTo pinned} to a checked address makes the requests.
     */
    SparkRestClient(Duration timeout) {
        this.timeout = timeout;
        this.http =
                new OkHttpClient.Builder()
                        .connectTimeout(timeout)
                        .readTimeout(timeout)
                        .writeTimeout(timeout)
                        .callTimeout(timeout)
                        .followRedirects(false)
                        .followSslRedirects(false)
                        .proxy(Proxy.NO_PROXY)
                        .dns(new PinnedDns())
                        .build();
    }

    private SparkRestClient(OkHttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    /** A client sharing this one's connections whose host lookups {@code dns} answers. */
    SparkRestClient pinnedTo(PinnedDns dns) {
        return new SparkRestClient(http.newBuilder().dns(dns).build(), timeout);
    }

    /**
     * Answers only for the one host it was pinned to, with the address checked for it by {@link
     * UiNetworkPolicy}; anything else does not resolve.
     */
    static final class PinnedDns implements Dns {
        private volatile UiNetworkPolicy.Decision pinned;

        void pin(UiNetworkPolicy.Decision d) {
            pinned = d;
        }

        @Override
        public List<InetAddress> lookup(String host) throws UnknownHostException {
            UiNetworkPolicy.Decision d = pinned;
            if (d == null || d.address() == null || !d.host().equalsIgnoreCase(host))
                throw new UnknownHostException(
                        host + " (not checked against spark.allowedUiNetworks)");
            return List.of(d.address());
        }
    }

    List<SparkJson.Application> applications(String ui) throws SparkRestException {
        return get(url(ui).build(), SparkJson::applications);
    }

    SparkJson.Statistics statistics(String ui, String appId) throws SparkRestException {
        return get(
                streaming(ui, appId).addPathSegment("statistics").build(), SparkJson::statistics);
    }

    List<AppSnapshot.ReceiverView> receivers(String ui, String appId) throws SparkRestException {
        return get(streaming(ui, appId).addPathSegment("receivers").build(), SparkJson::receivers);
    }

    /**
     * @param status QUEUED, PROCESSING or COMPLETED
     */
    List<SparkJson.Batch> batches(String ui, String appId, String status)
            throws SparkRestException {
        return get(
                streaming(ui, appId)
                        .addPathSegment("batches")
                        .addQueryParameter("status", status)
                        .build(),
                SparkJson::batches);
    }

    String failureReason(String ui, String appId, long batchId) throws SparkRestException {
        return get(
                streaming(ui, appId)
                        .addPathSegment("batches")
                        .addPathSegment(Long.toString(batchId))
                        .addPathSegment("operations")
                        .build(),
                SparkJson::firstFailureReason);
    }

    private static HttpUrl.Builder url(String ui) throws SparkRestException {
        HttpUrl base = HttpUrl.parse(ui);
        if (base == null) throw new SparkRestException("'" + ui + "' is not an http(s) URL");
        return base.newBuilder().addPathSegments("api/v1/applications");
    }

    private static HttpUrl.Builder streaming(String ui, String appId) throws SparkRestException {
        return url(ui).addPathSegment(appId).addPathSegment("streaming");
    }

    /** How {@link SparkJson} reads one answer. */
    private interface Reader<T> {
        T read(InputStream json) throws IOException;
    }

    private <T> T get(HttpUrl url, Reader<T> reader) throws SparkRestException {
        Request request =
                new Request.Builder().url(url).header("Accept", "application/json").get().build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new SparkRestException(
                        response.code(),
                        "HTTP "
                                + response.code()
                                + " from "
                                + url.encodedPath()
                                + (response.code() == 404
                                        ? " (no such application, or its StreamingContext is not running)"
                                        : ""));
            }
            ResponseBody body = response.body();
            if (body == null)
                throw new SparkRestException("empty answer from " + url.encodedPath());
            return reader.read(body.byteStream());
        } catch (JsonMappingException e) {
            throw new SparkRestException(
                    "an answer of an unexpected shape from " + url.encodedPath());
        } catch (JsonProcessingException e) {
            throw new SparkRestException("an answer that is not JSON from " + url.encodedPath());
        } catch (ConnectException e) {
            throw new SparkRestException("connection refused");
        } catch (UnknownHostException e) {
            throw new SparkRestException("unknown host " + url.host());
        } catch (InterruptedIOException e) {
            throw new SparkRestException(
                    "no answer within " + timeout.toMillis() + " ms (spark.requestTimeout)");
        } catch (IOException e) {
            throw new SparkRestException(
                    e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** Cancels calls in flight and releases connections. */
    @Override
    public void close() {
        http.dispatcher().cancelAll();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /** A driver that did not answer as expected; the message is one short phrase. */
    static final class SparkRestException extends Exception {
        private final int status;

        SparkRestException(String message) {
            this(0, message);
        }

        SparkRestException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        /** The HTTP status when the driver answered with one, else 0. */
        int status() {
            return status;
        }
    }
}
