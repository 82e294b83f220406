package io.streamwatch.service.rules;

import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.service.state.QueryWindow;

/** What a rule over micro-batches concludes for a query that does not run. */
final class QueryStops {
    private QueryStops() {}

    /**
     * A query stopped cleanly says nothing new about its micro-batches: its alerts hold, so that a
     * new run from the same checkpoint (a redeploy) finds them as they were; {@link
     * QuerySubjects#finished} clears them if it stays stopped. A failed query's micro-batch alerts
     * clear: its failure is paged by {@code StreamingQueryFailed}.
     */
    static Check heldOrClear(QueryWindow q) {
        return q.state().equals(QuerySnapshot.STOPPED) ? Check.hold() : Check.clear();
    }
}
