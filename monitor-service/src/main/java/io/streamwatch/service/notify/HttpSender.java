package io.streamwatch.service.notify;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Makes one attempt at one receiver and says what it came to: sent (2xx), worth retrying
 * (connection errors and timeouts, 429, 502, 503, 504, with the {@code Retry-After} of a 429 or
 * 503) or rejected (any other answer). The call in flight can be cancelled from another thread.
 */
final class HttpSender {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int MAX_LOGGED_BODY = 512;

    /** What one attempt came to; {@code retryAfter} is what the receiver asked for, or null. */
    record Outcome(Kind kind, String detail, Duration retryAfter) {
        enum Kind {
            SENT,
            RETRY,
            REJECTED
        }

        Outcome(Kind kind, String detail) {
            this(kind, detail, null);
        }
    }

    private final Notifier notifier;
    private final OkHttpClient client;
    private final Clock clock;
    private volatile boolean cancelled;
    private volatile Call inFlight;

    HttpSender(Notifier notifier, OkHttpClient client, Clock clock) {
        this.notifier = notifier;
        this.client = client;
        this.clock = clock;
    }

    private static String clip(String text) {
        return text.length() <= MAX_LOGGED_BODY ? text : text.substring(0, MAX_LOGGED_BODY) + "...";
    }

    /** Cancels the call in flight and every later one. */
    void cancel() {
        cancelled = true;
        Call call = inFlight;
        if (call != null) call.cancel();
    }

    Outcome attempt(OutboundRequest request) {
        Request http =
                new Request.Builder()
                        .url(request.url())
                        .header("User-Agent", "Streamwatch")
                        .post(RequestBody.create(request.json(), JSON))
                        .build();
        Call call = client.newCall(http);
        inFlight = call;
        // cancel() sets cancelled and then reads inFlight; checking after publishing the call
        // means one of us cancels it.
        if (cancelled) call.cancel();
        try (Response response = call.execute()) {
            int code = response.code();
            if (code >= 200 && code < 300) return new Outcome(Outcome.Kind.SENT, "HTTP " + code);
            // Redact first, then cut: a secret that crosses the cut must not leak in part.
            String body = clip(notifier.redact(response.peekBody(4L * MAX_LOGGED_BODY).string()));
            String detail = "HTTP " + code + (body.isBlank() ? "" : ": " + body.strip());
            if (!RetryPolicy.retryable(code)) return new Outcome(Outcome.Kind.REJECTED, detail);
            Duration retryAfter =
                    code == 429 || code == 503
                            ? RetryPolicy.retryAfter(
                                    response.header("Retry-After"), clock.instant())
                            : null;
            return new Outcome(Outcome.Kind.RETRY, detail, retryAfter);
        } catch (IOException e) {
            return new Outcome(Outcome.Kind.RETRY, notifier.redact(String.valueOf(e)));
        } finally {
            inFlight = null;
        }
    }
}
