package io.streamwatch.service.state;

import java.util.List;

/**
 * What one change did to an app's queries that the store must follow: the micro-batches it
 * recorded, and the query keys it dropped (their history goes with them).
 */
public record QueryChanges(List<QueryBatch> added, List<String> forgotten) {
    public static final QueryChanges NONE = new QueryChanges(List.of(), List.of());

    public QueryChanges {
        added = List.copyOf(added);
        forgotten = List.copyOf(forgotten);
    }

    public boolean isEmpty() {
        return added.isEmpty() && forgotten.isEmpty();
    }
}
