package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.QuerySnapshot;
import io.streamwatch.service.state.QueryWindow;

/**
 * {@code StreamingQueryFailed}: the query's last run ended with an exception. It stays firing when
 * the app ends (a driver usually exits right after its query fails) and while a new run has not
 * made progress yet; it resolves when a new run of the same query key makes progress (or stops
 * cleanly), or when the app is forgotten.
 */
public final class QueryFailed extends NamedRule<QueryWindow> {
    public static final String NAME = "StreamingQueryFailed";

    public QueryFailed() {
        super(NAME, Severity.CRITICAL, 0, Trigger.EVIDENCE);
    }

    @Override
    public Check check(QueryWindow q) {
        if (q.state().equals(QuerySnapshot.FAILED)) {
            String error =
                    (q.errorClass() == null ? "" : "[" + q.errorClass() + "] ")
                            + Format.firstLine(q.exception(), 300);
            return new Check(
                    Verdict.FIRING,
                    "query failed: " + error.strip(),
                    "Query '"
                            + q.query()
                            + "' of app '"
                            + q.app()
                            + "' (run "
                            + q.runId()
                            + ") ended with an exception and processes nothing until it is started again: "
                            + (q.errorClass() == null ? "" : "[" + q.errorClass() + "] ")
                            + Format.firstLine(q.exception(), 1000));
        }
        // A new run that has not progressed yet still carries the failure: not proven healthy.
        if (q.exception() != null || q.errorClass() != null) return Check.hold();
        return Check.clear();
    }
}
