package io.streamwatch.service.http;

import io.streamwatch.service.rules.AlertView;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.ListenerDelivery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of {@code /api/v1}: explicit maps, so the API does not change when internals do.
 */
final class ApiViews {
    private ApiViews() {}

    static Map<String, Object> appSummary(AppSnapshot a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", a.app());
        m.put("appId", a.run().appId());
        m.put("attemptId", a.run().attemptId());
        m.put("state", a.state());
        m.put("batchIntervalMs", a.batchIntervalMs());
        m.put("lastSeen", a.run().lastSeen());
        m.put("uiUrl", a.run().uiUrl());
        m.put("sparkVersion", a.run().sparkVersion());
        m.put("restarts", a.run().restarts());
        m.put("lastBatchTime", a.lastBatch() == null ? null : a.lastBatch().batchTime());
        return m;
    }

    static Map<String, Object> appDetail(AppSnapshot a) {
        Map<String, Object> m = appSummary(a);
        m.put("appName", a.run().appName());
        m.put("host", a.run().host());
        m.put("firstSeen", a.run().firstSeen());
        m.put("startTime", a.run().startTime());
        m.put("endTime", a.run().endTime());
        m.put("batchesCompleted", a.batches().completed());
        m.put("batchesFailed", a.batches().failed());
        m.put("recordsTotal", a.batches().records());
        m.put("waitingBatches", a.waitingBatches());
        m.put("inputRateRecordsPerSecond", a.inputRate());
        m.put("lastBatch", a.lastBatch() == null ? null : batch(a.lastBatch()));
        List<Map<String, Object>> receivers = new ArrayList<>();
        for (AppSnapshot.ReceiverView r : a.receivers()) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("streamId", r.streamId());
            rm.put("name", r.name());
            rm.put("active", r.active());
            rm.put("location", r.location());
            rm.put("executorId", r.executorId());
            rm.put("errors", r.errors());
            rm.put("lastErrorMessage", r.lastErrorMessage());
            rm.put("lastErrorTime", r.lastErrorTime());
            receivers.add(rm);
        }
        m.put("receivers", receivers);
        ListenerDelivery.View l = a.listener();
        Map<String, Object> lm = new LinkedHashMap<>();
        lm.put("instance", l.instance());
        lm.put("version", l.listenerVersion());
        lm.put("eventsDropped", l.eventsDropped());
        lm.put("eventsLost", l.eventsLost());
        lm.put("duplicateEvents", l.duplicateEvents());
        lm.put("queued", l.queued());
        m.put("listener", lm);
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("up", a.rest().up());
        rest.put("refused", a.rest().refused());
        m.put("rest", rest);
        return m;
    }

    static Map<String, Object> alert(AlertView a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alertname", a.alertname());
        m.put(a.label(), a.subject());
        m.put("severity", a.severity().label());
        m.put("state", a.state().label());
        m.put("startsAt", a.startsAt() == null ? null : a.startsAt().toString());
        m.put("endsAt", a.endsAt() == null ? null : a.endsAt().toString());
        m.put("summary", a.summary());
        m.put("description", a.description());
        m.put("runbookUrl", a.runbookUrl());
        return m;
    }

    static Map<String, Object> batch(BatchRecord b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("appId", b.appId());
        m.put("batchTime", b.batchTime());
        m.put("submissionTime", b.submissionTime());
        m.put("processingStartTime", b.processingStartTime());
        m.put("processingEndTime", b.processingEndTime());
        m.put("schedulingDelayMs", b.schedulingDelayMs());
        m.put("processingTimeMs", b.processingTimeMs());
        m.put("totalDelayMs", b.totalDelayMs());
        m.put("endToEndDelayMs", b.endToEndDelayMs());
        m.put("records", b.records());
        m.put("failed", b.failed());
        m.put("failureReason", b.failureReason());
        m.put("backfilled", b.backfilled());
        return m;
    }
}
