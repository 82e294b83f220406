/**
 * What the service knows about each app, in memory: the {@link
 * io.streamwatch.service.state.AppRegistry} of {@code AppState}s, each a coordinator of parts that
 * own their data, their persisted form and their slice of the {@link
 * io.streamwatch.service.state.AppSnapshot}: {@link io.streamwatch.service.state.RunIdentity}
 * (which run, its lifecycle and liveness), {@link io.streamwatch.service.state.BatchLedger}
 * (history, waiting batches, counters, histograms), {@link
 * io.streamwatch.service.state.ListenerDelivery} (sequence marks, drops, gaps, duplicates), {@link
 * io.streamwatch.service.state.Receivers}, {@link io.streamwatch.service.state.KafkaPosition}
 * (offsets of the newest batch, lag samples) and {@link io.streamwatch.service.state.RestView}.
 *
 * <p>A new concern (a Structured Streaming query, say) is a new part beside these: its class, one
 * component in {@link io.streamwatch.service.state.PersistedApp} and in {@code AppSnapshot}, and
 * the routing of its events in {@code AppState}. Changes are made durable through {@link
 * io.streamwatch.service.state.Persistence} and announced to {@link
 * io.streamwatch.service.state.StateListener}s. This package depends on the model only.
 */
package io.streamwatch.service.state;
