package io.streamwatch.service.rules;

import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.service.state.QueryWindow;
import io.streamwatch.service.state.StateHistory;
import java.util.List;
import java.util.Optional;

/**
 * The Structured Streaming queries of every app, as the app registry knows them. A query is a
 * subject of its own (app and query key), so its alerts outlive its runs: a restart (new run id)
 * keeps them. Queries of an app the registry forgot are gone, and their alerts with them.
 */
final class QuerySubjects implements Subjects<QueryWindow> {
    private final AppRegistry registry;

    QuerySubjects(AppRegistry registry) {
        this.registry = registry;
    }

    /** What the rules read of a query, so that a change to it (however it came) is noticed. */
    private record Evidence(
            String runId,
            String state,
            Long triggerIntervalMs,
            long lastEventAt,
            String exception,
            String errorClass,
            MicroBatch newest,
            LagWindow.Sample lag,
            StateHistory.Sample stateSize,
            boolean finished) {}

    @Override
    public List<QueryWindow> all(int size) {
        return registry.queryWindows(Math.max(size, 1)); // the newest batch is part of the evidence
    }

    @Override
    public List<QueryWindow> all(int size, java.util.function.Predicate<Subject> skip) {
        return registry.queryWindows(
                Math.max(size, 1), (app, query) -> skip.test(Subject.query(app, query)));
    }

    @Override
    public List<QueryWindow> app(String app, int size) {
        return registry.queryWindows(app, Math.max(size, 1));
    }

    @Override
    public boolean onlyChangedSubjects() {
        return true;
    }

    @Override
    public Optional<QueryWindow> widen(QueryWindow w, int size) {
        return w.recent().size() >= size
                ? Optional.of(w)
                : registry.queryWindow(w.app(), w.query(), size);
    }

    @Override
    public Subject subject(QueryWindow w) {
        return Subject.query(w.app(), w.query());
    }

    @Override
    public long now(QueryWindow w) {
        return w.now();
    }

    @Override
    public long lastHeard(QueryWindow w) {
        return Math.min(w.appLastSeen(), w.lastEventAt());
    }

    /**
     * A query stopped cleanly has every alert cleared, once it has stayed stopped for {@code
     * alerting.appDownAfter}: a stop and a new run from the same checkpoint (a redeploy) keep a
     * firing alert firing rather than resolving it and paging anew. One that failed is not
     * finished: its failure stays paged, also once its app has ended, until a new run progresses.
     */
    @Override
    public boolean finished(QueryWindow w) {
        return w.state().equals(QuerySnapshot.STOPPED)
                && w.now() - w.lastEventAt() > registry.downAfterMs();
    }

    @Override
    public Object evidence(QueryWindow w) {
        return new Evidence(
                w.runId(),
                w.state(),
                w.triggerIntervalMs(),
                w.lastEventAt(),
                w.exception(),
                w.errorClass(),
                w.newest(),
                w.lag().isEmpty() ? null : w.lag().get(w.lag().size() - 1),
                w.stateHistory().isEmpty()
                        ? null
                        : w.stateHistory().get(w.stateHistory().size() - 1),
                // the grace of a stop ending is news to the rules that wait for news
                finished(w));
    }
}
