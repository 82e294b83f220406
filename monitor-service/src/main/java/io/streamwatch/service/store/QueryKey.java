package io.streamwatch.service.store;

/** A query of an app, to forget. */
public record QueryKey(String app, String query) {}
