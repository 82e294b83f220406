package io.streamwatch.service.model;

/** Who sent an ingest request: one listener instance inside one Spark driver. */
public record Source(
        String app,
        String appId,
        String attemptId,
        String instance,
        String sparkVersion,
        String uiUrl,
        String host,
        String listenerVersion) {}
