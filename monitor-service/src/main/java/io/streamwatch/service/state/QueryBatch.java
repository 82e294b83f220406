package io.streamwatch.service.state;

/** A micro-batch recorded for the query with key {@code query}, to be stored with its app. */
public record QueryBatch(String query, MicroBatch batch) {}
