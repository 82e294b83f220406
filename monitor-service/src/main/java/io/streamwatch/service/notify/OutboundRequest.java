package io.streamwatch.service.notify;

import java.nio.charset.StandardCharsets;
import okhttp3.HttpUrl;

/**
 * One JSON POST a notifier wants made. The body may hold a secret (PagerDuty's routing key), so
 * {@link #toString()} shows only where it goes and how big it is.
 */
record OutboundRequest(HttpUrl url, String json) {
    @Override
    public String toString() {
        return "POST "
                + url.scheme()
                + "://"
                + url.host()
                + ":"
                + url.port()
                + " ("
                + json.getBytes(StandardCharsets.UTF_8).length
                + " bytes)";
    }
}
