package io.streamwatch.service.state;

/**
 * Everything about one app that survives a restart, except its batches (stored apart): one
 * component per part of {@link AppState}, each written and read by that part. Stored as JSON by the
 * store; {@code version} lets a later release read what an earlier one wrote (version 1 was one
 * flat record; the store reads it too; version 3 added the queries). A part missing from what was
 * stored starts afresh.
 */
public record PersistedApp(
        int version,
        String app,
        RunIdentity.Persisted run,
        BatchLedger.Persisted batches,
        ListenerDelivery.Persisted listener,
        Receivers.Persisted receivers,
        KafkaPosition.Persisted kafka,
        RestView.Persisted rest,
        Queries.Persisted queries) {
    public static final int VERSION = 3;
}
