package io.streamwatch.service.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamwatch.service.rules.AlertView;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.ListenerDelivery;
import io.streamwatch.service.state.MicroBatch;
import io.streamwatch.service.state.QuerySnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON shapes of {@code /api/v1}: explicit maps, so the API does not change when internals do.
 */
final class ApiViews {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        m.put("queries", a.queries().stream().map(ApiViews::query).toList());
        return m;
    }

    static Map<String, Object> query(QuerySnapshot q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("query", q.query());
        m.put("queryId", q.queryId());
        m.put("runId", q.runId());
        m.put("name", q.name());
        m.put("state", q.state());
        m.put("up", q.up());
        m.put("trigger", q.trigger());
        m.put("triggerIntervalMs", q.triggerIntervalMs());
        m.put("triggerIntervalSource", q.triggerIntervalSource());
        m.put("lastProgress", q.lastProgress());
        m.put("exception", q.exception());
        m.put("errorClass", q.errorClass());
        m.put("restarts", q.restarts());
        m.put("failures", q.failures());
        m.put("batchesCompleted", q.batchesCompleted());
        m.put("inputRows", q.inputRows());
        m.put("lateRowsDropped", q.lateRowsDropped());
        m.put("lastBatch", q.last() == null ? null : microBatch(q.last()));
        List<Map<String, Object>> lag = new ArrayList<>();
        for (QuerySnapshot.TopicLag l : q.kafkaLag()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("topic", l.topic());
            lm.put("records", l.records());
            lm.put("seconds", l.seconds());
            lag.add(lm);
        }
        m.put("kafkaLag", lag);
        return m;
    }

    static Map<String, Object> microBatch(MicroBatch b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batchId", b.batchId());
        m.put("runId", b.runId());
        m.put("queryId", b.queryId());
        m.put("timestamp", b.timestamp());
        m.put("durationMs", new TreeMap<>(b.durationMs()));
        m.put("numInputRows", b.numInputRows());
        m.put("inputRowsPerSecond", b.inputRowsPerSecond());
        m.put("processedRowsPerSecond", b.processedRowsPerSecond());
        m.put("watermark", b.watermark());
        m.put("stateRows", b.stateRows());
        m.put("stateMemoryBytes", b.stateMemoryBytes());
        m.put("lateRowsDropped", b.lateRowsDropped());
        List<Map<String, Object>> sources = new ArrayList<>();
        for (MicroBatch.Source s : b.sources()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("description", s.description());
            sm.put("startOffset", offset(s.startOffset()));
            sm.put("endOffset", offset(s.endOffset()));
            sm.put("latestOffset", offset(s.latestOffset()));
            sm.put("numInputRows", s.numInputRows());
            sources.add(sm);
        }
        m.put("sources", sources);
        return m;
    }

    /** Spark's offset JSON as a JSON value ({@code 14}, {@code {"t":{"0":12}}}), else the text. */
    private static Object offset(String text) {
        if (text == null) return null;
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    static Map<String, Object> alert(AlertView a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alertname", a.alertname());
        m.put(a.label(), a.subject());
        m.put("query", a.query());
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
