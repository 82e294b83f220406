package io.streamwatch.service.http;

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
import java.util.Optional;
import java.util.function.Function;

/**
 * One app's page data: its header, batch and Kafka lag history as columnar arrays (one entry per
 * batch, oldest first), its alerts (firing, pending and recently resolved), and each query with its
 * own micro-batch history.
 */
final class AppPageData {
    private final AppRegistry registry;
    private final Function<Boolean, List<AlertView>> alerts;
    private final int historyBatches;
    private final Clock clock;

    AppPageData(
            AppRegistry registry,
            Function<Boolean, List<AlertView>> alerts,
            int historyBatches,
            Clock clock) {
        this.registry = registry;
        this.alerts = alerts;
        this.historyBatches = historyBatches;
        this.clock = clock;
    }

    boolean known(String key) {
        return registry.snapshot(key).isPresent();
    }

    Optional<Map<String, Object>> app(String key) {
        Optional<AppSnapshot> snap = registry.snapshot(key);
        if (snap.isEmpty()) return Optional.empty();
        AppSnapshot s = snap.get();
        Map<String, Object> m = ApiViews.appDetail(s);
        m.remove("queries");
        m.put("now", clock.millis());
        m.put("history", batches(registry.batches(key, historyBatches).orElse(List.of())));
        m.put("lag", lag(key));
        List<Map<String, Object>> alertRows = new ArrayList<>();
        for (AlertView a : alerts.apply(true)) {
            if (key.equals(a.app())) alertRows.add(ApiViews.alert(a));
        }
        m.put("alerts", alertRows);
        List<Map<String, Object>> queries = new ArrayList<>();
        for (QuerySnapshot q : s.queries()) {
            Map<String, Object> qm = ApiViews.query(q);
            qm.remove("lastBatch");
            qm.put(
                    "history",
                    microBatches(
                            registry.microBatches(key, q.query(), registry.microBatchCapacity())
                                    .orElse(List.of())));
            queries.add(qm);
        }
        m.put("queries", queries);
        return Optional.of(m);
    }

    private static Map<String, Object> batches(List<BatchRecord> raw) {
        List<BatchRecord> list = new ArrayList<>(raw);
        list.sort(Comparator.comparingLong(BatchRecord::batchTime));
        int n = list.size();
        long[] time = new long[n];
        long[] processing = new long[n];
        long[] scheduling = new long[n];
        long[] total = new long[n];
        long[] records = new long[n];
        Double[] rate = new Double[n];
        boolean[] failed = new boolean[n];
        for (int i = 0; i < n; i++) {
            BatchRecord b = list.get(i);
            time[i] = b.batchTime();
            processing[i] = b.processingTimeMs();
            scheduling[i] = b.schedulingDelayMs();
            total[i] = b.totalDelayMs();
            records[i] = b.records();
            long span = i > 0 ? b.batchTime() - list.get(i - 1).batchTime() : 0;
            rate[i] = span > 0 ? b.records() * 1000.0 / span : null;
            failed[i] = b.failed();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", time);
        m.put("processingMs", processing);
        m.put("schedulingDelayMs", scheduling);
        m.put("totalDelayMs", total);
        m.put("records", records);
        m.put("inputRate", rate);
        m.put("failed", failed);
        return m;
    }

    private Map<String, Object> lag(String key) {
        for (LagWindow w : registry.lagWindows()) {
            if (!w.label().equals("app") || !w.subject().equals(key)) continue;
            int n = w.samples().size();
            long[] at = new long[n];
            long[] records = new long[n];
            Double[] seconds = new Double[n];
            for (int i = 0; i < n; i++) {
                LagWindow.Sample s = w.samples().get(i);
                at[i] = s.at();
                records[i] = s.records();
                seconds[i] = s.seconds();
            }
            return Map.of("time", at, "records", records, "seconds", seconds);
        }
        return null;
    }

    private static Map<String, Object> microBatches(List<MicroBatch> raw) {
        List<MicroBatch> list = new ArrayList<>(raw);
        list.sort(Comparator.comparingLong(MicroBatch::batchId));
        int n = list.size();
        long[] time = new long[n];
        long[] batchId = new long[n];
        long[] trigger = new long[n];
        Long[] addBatch = new Long[n];
        long[] rows = new long[n];
        Double[] input = new Double[n];
        Double[] processed = new Double[n];
        for (int i = 0; i < n; i++) {
            MicroBatch b = list.get(i);
            time[i] = b.timestamp();
            batchId[i] = b.batchId();
            trigger[i] = b.triggerExecutionMs();
            addBatch[i] = b.durationMs().get("addBatch");
            rows[i] = b.numInputRows();
            input[i] = b.inputRowsPerSecond();
            processed[i] = b.processedRowsPerSecond();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", time);
        m.put("batchId", batchId);
        m.put("triggerExecutionMs", trigger);
        m.put("addBatchMs", addBatch);
        m.put("numInputRows", rows);
        m.put("inputRowsPerSecond", input);
        m.put("processedRowsPerSecond", processed);
        return m;
    }
}
