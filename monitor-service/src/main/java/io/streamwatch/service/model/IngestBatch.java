package io.streamwatch.service.model;

import java.util.List;

/**
 * One validated ingest request. Events are in strictly increasing {@code seq} order (heartbeats
 * aside).
 */
public record IngestBatch(Source source, long dropped, long queued, List<Event> events) {
    public IngestBatch {
        events = List.copyOf(events);
    }
}
