package io.streamwatch.service.http;

import io.streamwatch.service.rules.AlertStatus;
import io.streamwatch.service.rules.AlertView;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The compact JSON the status pages fetch: the overview's rows (problems first, paged on the server
 * so that 1,000 apps stay light) and one app's header, histories as columnar arrays, and alerts.
 */
final class PageData {
    static final int DEFAULT_SIZE = 100;
    static final int MAX_SIZE = 500;
    private static final long SPARK_WINDOW_MS = 5 * 60_000L;
    private static final int SPARK_POINTS = 60;

    private final AppRegistry registry;
    private final Function<Boolean, List<AlertView>> alerts;
    private final Clock clock;

    PageData(AppRegistry registry, Function<Boolean, List<AlertView>> alerts, Clock clock) {
        this.registry = registry;
        this.alerts = alerts;
        this.clock = clock;
    }

    private record Row(int rank, String app, String query, Map<String, Object> body) {}

    Map<String, Object> overview(int page, int size) {
        List<AlertView> all = alerts.apply(true);
        List<Row> rows = new ArrayList<>();
        int queries = 0;
        int firing = 0;
        int down = 0;
        for (AlertView a : all) if (a.state() == AlertStatus.FIRING) firing++;
        for (AppSnapshot s : registry.snapshots()) {
            List<AlertView> mine = of(all, s.app(), null);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "app");
            m.put("app", s.app());
            m.put("state", s.state());
            m.put("alerts", firingViews(mine));
            BatchRecord last = s.lastBatch();
            m.put("processingMs", last == null ? null : last.processingTimeMs());
            m.put("intervalMs", s.batchIntervalMs());
            m.put("schedulingDelayMs", last == null ? null : last.schedulingDelayMs());
            m.put("records", last == null ? null : last.records());
            LagWindow lag = lagOf(s.app());
            LagWindow.Sample ls =
                    lag == null || lag.samples().isEmpty()
                            ? null
                            : lag.samples().get(lag.samples().size() - 1);
            m.put("lagRecords", ls == null ? null : ls.records());
            m.put("lagSeconds", ls == null ? null : ls.seconds());
            m.put("spark", appSpark(s.app()));
            if (!s.up()) down++;
            rows.add(new Row(rank(mine, !s.up()), s.app(), "", m));
            for (QuerySnapshot q : s.queries()) {
                queries++;
                List<AlertView> qa = of(all, s.app(), q.query());
                Map<String, Object> qm = new LinkedHashMap<>();
                qm.put("kind", "query");
                qm.put("app", s.app());
                qm.put("query", q.query());
                qm.put("name", q.name());
                qm.put("state", q.state());
                qm.put("alerts", firingViews(qa));
                MicroBatch b = q.last();
                qm.put("processingMs", b == null ? null : b.triggerExecutionMs());
                qm.put("intervalMs", q.triggerIntervalMs());
                qm.put("inputRowsPerSecond", b == null ? null : b.inputRowsPerSecond());
                qm.put("processedRowsPerSecond", b == null ? null : b.processedRowsPerSecond());
                long lagRecords = 0;
                Double lagSeconds = null;
                for (QuerySnapshot.TopicLag l : q.kafkaLag()) {
                    lagRecords += l.records();
                    if (l.seconds() != null)
                        lagSeconds =
                                lagSeconds == null
                                        ? l.seconds()
                                        : Math.max(lagSeconds, l.seconds());
                }
                qm.put("lagRecords", q.kafkaLag().isEmpty() ? null : lagRecords);
                qm.put("lagSeconds", lagSeconds);
                qm.put("spark", querySpark(s.app(), q.query()));
                boolean qDown =
                        QuerySnapshot.FAILED.equals(q.state())
                                || QuerySnapshot.STOPPED.equals(q.state());
                if (qDown) down++;
                rows.add(new Row(rank(qa, qDown), s.app(), q.query(), qm));
            }
        }
        rows.sort(
                Comparator.comparingInt(Row::rank)
                        .thenComparing(Row::app)
                        .thenComparing(Row::query));
        int pages = Math.max(1, (rows.size() + size - 1) / size);
        page = Math.min(page, pages);
        int from = (page - 1) * size;
        int to = Math.min(rows.size(), from + size);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", clock.millis());
        out.put("apps", registry.snapshots().size());
        out.put("queries", queries);
        out.put("firing", firing);
        out.put("down", down);
        out.put("rowsTotal", rows.size());
        out.put("page", page);
        out.put("pages", pages);
        out.put("size", size);
        out.put("rows", rows.subList(from, to).stream().map(Row::body).toList());
        return out;
    }

    private static List<AlertView> of(List<AlertView> all, String app, String query) {
        return all.stream()
                .filter(a -> app.equals(a.app()) && Objects.equals(query, a.query()))
                .toList();
    }

    /** 0 firing critical, 1 firing warning, 2 down, 3 pending, 4 the rest. */
    private static int rank(List<AlertView> alerts, boolean down) {
        int r = down ? 2 : 4;
        for (AlertView a : alerts) {
            if (a.state() == AlertStatus.FIRING) {
                r = Math.min(r, a.severity().label().equals("critical") ? 0 : 1);
            } else if (a.state() == AlertStatus.PENDING) {
                r = Math.min(r, 3);
            }
        }
        return r;
    }

    private static List<Map<String, Object>> firingViews(List<AlertView> alerts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (AlertView a : alerts) {
            if (a.state() != AlertStatus.FIRING) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", a.alertname());
            m.put("severity", a.severity().label());
            m.put("since", a.startsAt() == null ? null : a.startsAt().toEpochMilli());
            out.add(m);
        }
        return out;
    }

    private LagWindow lagOf(String app) {
        for (LagWindow w : registry.lagWindows()) {
            if (w.label().equals("app") && w.subject().equals(app)) return w;
        }
        return null;
    }

    private List<Long> appSpark(String app) {
        long since = clock.millis() - SPARK_WINDOW_MS;
        List<Long> out = new ArrayList<>();
        List<BatchRecord> batches =
                new ArrayList<>(registry.batches(app, SPARK_POINTS).orElse(List.of()));
        batches.sort(Comparator.comparingLong(BatchRecord::batchTime));
        for (BatchRecord b : batches) {
            if (!b.failed() && b.batchTime() >= since) out.add(b.processingTimeMs());
        }
        return out;
    }

    private List<Long> querySpark(String app, String query) {
        long since = clock.millis() - SPARK_WINDOW_MS;
        List<Long> out = new ArrayList<>();
        List<MicroBatch> batches =
                new ArrayList<>(registry.microBatches(app, query, SPARK_POINTS).orElse(List.of()));
        batches.sort(Comparator.comparingLong(MicroBatch::timestamp));
        for (MicroBatch b : batches) {
            if (b.timestamp() >= since) out.add(b.triggerExecutionMs());
        }
        return out;
    }
}
