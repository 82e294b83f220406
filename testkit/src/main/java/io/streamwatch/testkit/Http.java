package io.streamwatch.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Blocking HTTP for harness code: I/O failures unchecked, an interrupt kept as the thread's flag.
 */
public final class Http {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Http() {}

    /**
     * Sends {@code request}; an I/O failure is an UncheckedIOException, an interrupt an
     * IllegalStateException.
     */
    public static <T> HttpResponse<T> send(
            HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return client.send(request, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET url} (10 s at most) as JSON; anything but 200 is an IllegalStateException. */
    public static JsonNode getJson(String url) {
        HttpResponse<String> r =
                send(
                        CLIENT,
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200)
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        return json(r.body());
    }

    /** Parses {@code text}; not JSON is an UncheckedIOException. */
    public static JsonNode json(String text) {
        try {
            return ServiceProcess.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
