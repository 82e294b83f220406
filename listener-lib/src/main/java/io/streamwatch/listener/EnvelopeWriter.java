package io.streamwatch.listener;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Writes the gzip-compressed request body: one envelope of schema 1 around encoded events. */
final class EnvelopeWriter {
    static final int SCHEMA = 1;

    private final JsonFactory json;

    EnvelopeWriter(JsonFactory json) {
        this.json = json;
    }

    byte[] write(SourceInfo source, long dropped, long queued, List<EncodedEvent> events)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        JsonGenerator g = json.createGenerator(new GZIPOutputStream(bytes), JsonEncoding.UTF8);
        g.writeStartObject();
        g.writeNumberField("schema", SCHEMA);
        source.write(g);
        g.writeNumberField("dropped", dropped);
        g.writeNumberField("queued", queued);
        g.writeArrayFieldStart("events");
        for (EncodedEvent event : events) {
            g.writeRawValue(event.json());
        }
        g.writeEndArray();
        g.writeEndObject();
        g.close();
        return bytes.toByteArray();
    }

    /** A request carrying only a heartbeat event (no seq: heartbeats are never de-duplicated). */
    byte[] writeHeartbeat(SourceInfo source, long dropped, long queued, long time)
            throws IOException {
        String heartbeat = "{\"type\":\"heartbeat\",\"time\":" + time + "}";
        return write(
                source,
                dropped,
                queued,
                Collections.singletonList(new EncodedEvent(0, "heartbeat", heartbeat, false)));
    }
}
