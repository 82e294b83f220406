package io.streamwatch.listener;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.streaming.scheduler.StreamingListenerEvent;
import scala.Option;

/**
 * The envelope's {@code source}: who is sending. Learns the application id from
 * SparkListenerApplicationStart and the UI address once streaming runs. Confined to the shipper
 * thread (not thread-safe), because resolving the host name or asking Spark may be slow.
 */
final class SourceInfo {
    static final int MAX_INFO_CHARS = 500;
    static final int MAX_ID_CHARS = 200;

    private final String app;
    private final String instance;
    private final String listenerVersion;
    private final SparkEnvironment env;
    private String appId;
    private String attemptId;
    private String uiUrl;
    private String sparkVersion;
    private String host;
    private boolean resolved;

    SourceInfo(
            String app,
            String fallbackAppId,
            String instance,
            String listenerVersion,
            SparkEnvironment env) {
        this.app = app;
        this.appId = EventEncoder.cut(fallbackAppId, MAX_ID_CHARS);
        this.instance = instance;
        this.listenerVersion = listenerVersion;
        this.env = env;
    }

    /** Updates the identity from an event about to be shipped (Spark's raw event object). */
    void observe(Object event) {
        if (event instanceof SparkListenerApplicationStart) {
            SparkListenerApplicationStart start = (SparkListenerApplicationStart) event;
            String id = value(start.appId());
            if (id != null && !id.isEmpty()) {
                appId = EventEncoder.cut(id, MAX_ID_CHARS);
            }
            attemptId = value(start.appAttemptId());
        } else if (uiUrl == null && event instanceof StreamingListenerEvent) {
            // streaming has started, so the active StreamingContext knows the UI address
            uiUrl = env.uiUrl();
        }
    }

    /** The application id, or null while unknown (then nothing can be sent). */
    String appId() {
        return appId;
    }

    String instance() {
        return instance;
    }

    void write(JsonGenerator g) throws IOException {
        if (!resolved) {
            resolved = true;
            sparkVersion = env.sparkVersion();
            host = env.hostName();
        }
        g.writeObjectFieldStart("source");
        g.writeStringField("app", app);
        g.writeStringField("appId", appId);
        g.writeStringField("attemptId", attemptId);
        g.writeStringField("instance", instance);
        g.writeStringField("sparkVersion", EventEncoder.cut(sparkVersion, MAX_INFO_CHARS));
        g.writeStringField("uiUrl", EventEncoder.cut(uiUrl, MAX_INFO_CHARS));
        g.writeStringField("host", EventEncoder.cut(host, MAX_INFO_CHARS));
        g.writeStringField("listenerVersion", EventEncoder.cut(listenerVersion, MAX_INFO_CHARS));
        g.writeEndObject();
    }

    private static String value(Option<String> option) {
        return option != null && option.isDefined() ? option.get() : null;
    }
}
