package io.streamwatch.service.store;

/** A micro-batch of query {@code query} of {@code app}, its {@code body} JSON. */
public record QueryRow(
        String app,
        String query,
        String queryId,
        long batchId,
        String runId,
        long timestamp,
        String body) {}
