package io.streamwatch.service.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamwatch.service.rules.AlertPersistence;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.PersistedApp;
import io.streamwatch.service.state.Persistence;
import io.streamwatch.service.state.Query;
import io.streamwatch.service.state.QueryBatch;
import io.streamwatch.service.state.QueryChanges;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps app and alert states in the {@link Store} as JSON documents, and reads them back at start;
 * keeps each query's micro-batches (as JSON) and serves their history.
 */
public final class StatePersistence implements Persistence, AlertPersistence {
    private static final Logger log = LoggerFactory.getLogger(StatePersistence.class);
    private final Store store;
    private final int historyMicroBatches;
    private final ObjectMapper json =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public StatePersistence(Store store) {
        this(store, 1000);
    }

    /**
     * @param historyMicroBatches {@code storage.historyMicroBatches}: kept per query
     */
    public StatePersistence(Store store, int historyMicroBatches) {
        this.store = store;
        this.historyMicroBatches = historyMicroBatches;
    }

    /**
     * Apps, their newest batches and, per app and query key, the newest micro-batches the registry
     * holds in memory, as stored (oldest first).
     */
    public record LoadedApps(
            List<PersistedApp> apps,
            Map<String, List<BatchRecord>> batches,
            Map<String, Map<String, List<MicroBatch>>> microBatches,
            int unreadable) {}

    public LoadedApps loadApps(int batchesPerApp) {
        return loadApps(batchesPerApp, Query.WINDOW);
    }

    /**
     * Apps with their newest {@code batchesPerApp} batches and the newest {@code
     * microBatchesPerQuery} micro-batches of each query: the windows the registry keeps in memory.
     */
    public LoadedApps loadApps(int batchesPerApp, int microBatchesPerQuery) {
        // The queries' windows (a read and a JSON decode per micro-batch) load on a thread of
        // their own, on the store's reading connection, while this one loads the apps and their
        // batches: on a large store that is most of the time to /readyz.
        CompletableFuture<Map<String, Map<String, List<MicroBatch>>>> microBatches =
                CompletableFuture.supplyAsync(
                        () -> queryWindows(microBatchesPerQuery),
                        task -> {
                            Thread t = new Thread(task, "streamwatch-load-queries");
                            t.setDaemon(true);
                            t.start();
                        });
        Store.Snapshot snapshot = store.load(batchesPerApp);
        List<PersistedApp> apps = new ArrayList<>();
        int unreadable = 0;
        for (Map.Entry<String, String> e : snapshot.apps().entrySet()) {
            try {
                apps.add(readApp(e.getValue()));
            } catch (JsonProcessingException ex) {
                unreadable++;
                log.error(
                        "stored state of app '{}' cannot be read ({}); the app starts afresh",
                        e.getKey(),
                        ex.getOriginalMessage());
            }
        }
        return new LoadedApps(apps, snapshot.batches(), join(microBatches), unreadable);
    }

    private Map<String, Map<String, List<MicroBatch>>> queryWindows(int perQuery) {
        Map<String, Map<String, List<MicroBatch>>> out = new LinkedHashMap<>();
        store.loadQueryWindows(perQuery)
                .forEach(
                        (app, byQuery) -> {
                            Map<String, List<MicroBatch>> m = new LinkedHashMap<>();
                            byQuery.forEach((query, bodies) -> m.put(query, read(bodies)));
                            out.put(app, m);
                        });
        return out;
    }

    /** The loader's result, or what it threw (a StoreException as it is). */
    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /**
     * Today's form, or the flat one of version 1 (databases written before the state was split in
     * parts).
     */
    PersistedApp readApp(String stored) throws JsonProcessingException {
        JsonNode tree = json.readTree(stored);
        if (tree.path("version").asInt(1) < 2)
            return json.treeToValue(tree, PersistedAppV1.class).current();
        return json.treeToValue(tree, PersistedApp.class);
    }

    @Override
    public CompletableFuture<Void> save(PersistedApp app, List<BatchRecord> newBatches) {
        List<Store.AppBatch> rows = new ArrayList<>(newBatches.size());
        for (BatchRecord b : newBatches) rows.add(new Store.AppBatch(app.app(), b));
        return store.submit(Store.Change.app(app.app(), write(app), rows));
    }

    @Override
    public CompletableFuture<Void> save(
            PersistedApp app, List<BatchRecord> newBatches, QueryChanges queries) {
        List<Store.AppBatch> rows = new ArrayList<>(newBatches.size());
        for (BatchRecord b : newBatches) rows.add(new Store.AppBatch(app.app(), b));
        List<QueryRow> added = new ArrayList<>(queries.added().size());
        for (QueryBatch q : queries.added()) {
            MicroBatch b = q.batch();
            added.add(
                    new QueryRow(
                            app.app(),
                            q.query(),
                            b.queryId(),
                            b.batchId(),
                            b.runId(),
                            b.timestamp(),
                            write(b)));
        }
        List<QueryKey> forgotten = new ArrayList<>();
        for (String query : queries.forgotten()) forgotten.add(new QueryKey(app.app(), query));
        return store.submit(Store.Change.app(app.app(), write(app), rows, added, forgotten));
    }

    @Override
    public List<MicroBatch> microBatches(String app, String query, int limit) {
        return read(store.queryBatches(app, query, limit));
    }

    @Override
    public List<BatchRecord> batches(String app, int limit) {
        return store.batches(app, limit);
    }

    @Override
    public int microBatchCapacity() {
        return historyMicroBatches;
    }

    /** Micro-batches from their JSON; one that cannot be read is left out (and logged). */
    private List<MicroBatch> read(List<String> bodies) {
        List<MicroBatch> out = new ArrayList<>(bodies.size());
        for (String body : bodies) {
            try {
                out.add(json.readValue(body, MicroBatch.class));
            } catch (JsonProcessingException e) {
                log.error(
                        "a stored micro-batch cannot be read ({}); left out",
                        e.getOriginalMessage());
            }
        }
        return out;
    }

    @Override
    public void forget(String app) {
        store.submit(Store.Change.forget(app));
    }

    @Override
    public CompletableFuture<Void> save(
            String label, String subject, String alertname, PersistedAlert state) {
        return store.submit(
                Store.Change.alert(
                        new Store.AlertRow(
                                label, subject, alertname, state == null ? null : write(state))));
    }

    @Override
    public List<Stored> load() {
        List<Stored> out = new ArrayList<>();
        for (Store.AlertRow row : store.alerts()) {
            try {
                out.add(
                        new Stored(
                                row.label(),
                                row.subject(),
                                row.alertname(),
                                json.readValue(row.state(), PersistedAlert.class)));
            } catch (JsonProcessingException ex) {
                log.error(
                        "stored alert {} of {} '{}' cannot be read ({}); dropped",
                        row.alertname(),
                        row.label(),
                        row.subject(),
                        ex.getOriginalMessage());
            }
        }
        return out;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
