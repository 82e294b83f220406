package io.streamwatch.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The targets of issues 8 and 15 for this 2-core machine, and whether a run met them. */
final class Targets {
    /** {@code op} is "<=", ">=", "==" or "measured" (no target). */
    record Target(String key, String what, String op, double bound, String text) {}

    static final List<Target> ALL =
            List.of(
                    new Target(
                            "listener_enqueue_ns_p50",
                            "listener callback on Spark's bus thread, p50 (JMH)",
                            "<=",
                            2000,
                            "≤ 2,000 ns"),
                    new Target(
                            "listener_enqueue_ns_p99",
                            "listener callback on Spark's bus thread, p99 (JMH)",
                            "<=",
                            20000,
                            "≤ 20,000 ns"),
                    new Target(
                            "listener_enqueue_query_ns_p50",
                            "listener callback for a Structured Streaming progress event, p50 (JMH)",
                            "<=",
                            2000,
                            "≤ 2,000 ns"),
                    new Target(
                            "listener_enqueue_query_ns_p99",
                            "listener callback for a Structured Streaming progress event, p99 (JMH)",
                            "<=",
                            20000,
                            "≤ 20,000 ns"),
                    new Target(
                            "listener_dropped_spark_events",
                            "Spark listener-bus drops, service down then back",
                            "==",
                            0,
                            "0"),
                    new Target(
                            "ingest_events_per_second",
                            "durable, de-duplicated batch events per second",
                            ">=",
                            50000,
                            "≥ 50,000"),
                    new Target(
                            "detect_latency_ms_p50",
                            "batch that breaks StreamingBatchTooSlow → page at webhook, p50",
                            "<=",
                            500,
                            "≤ 500 ms"),
                    new Target("detect_latency_ms_p99", "same, p99", "measured", 0, "measured"),
                    new Target(
                            "baseline_detect_latency_ms_p50",
                            "same through PrometheusServlet → Prometheus → Alertmanager, p50",
                            "measured",
                            0,
                            "measured"),
                    new Target(
                            "detect_speedup_vs_prometheus_servlet",
                            "baseline p50 ÷ Streamwatch p50",
                            ">=",
                            30,
                            "≥ 30×"),
                    new Target(
                            "scrape_ms_5000_apps",
                            "GET /metrics with 5,000 apps",
                            "<=",
                            1000,
                            "≤ 1,000 ms"),
                    new Target(
                            "heap_mb_5000_apps",
                            "service heap after GC with 5,000 apps",
                            "<=",
                            1024,
                            "≤ 1,024 MB"),
                    new Target(
                            "kafka_lag_poll_ms_5000_partitions",
                            "one lag poll over 5,000 partitions",
                            "<=",
                            2000,
                            "≤ 2,000 ms"),
                    new Target(
                            "scrape_ms_5000_apps_5000_queries",
                            "GET /metrics, 5,000 DStream apps and 5,000 queries, history full",
                            "<=",
                            500,
                            "≤ 500 ms"),
                    new Target(
                            "metrics_mb_5000_apps_5000_queries",
                            "size of that text exposition (MB)",
                            "<=",
                            20,
                            "≤ 20 MB"),
                    new Target(
                            "heap_mb_5000_apps_5000_queries",
                            "service heap after GC in that state (-Xmx512m)",
                            "<=",
                            512,
                            "≤ 512 MB"),
                    new Target(
                            "service_cpu_cores_5000_apps_5000_queries",
                            "service CPU in that steady state (ingest, rules, a scrape every 15 s)",
                            "<=",
                            0.5,
                            "≤ 0.5 cores"),
                    new Target(
                            "restart_s_5000_apps_5000_queries",
                            "service start to /readyz 200 with that state on disk",
                            "<=",
                            15,
                            "≤ 15 s"),
                    new Target(
                            "detect_latency_ms_p50_via_alertmanager",
                            "batch that breaks StreamingBatchTooSlow → Alertmanager (smallest group_wait) → webhook, p50",
                            "measured",
                            0,
                            "measured"),
                    new Target(
                            "baseline_detect_latency_ms_p50_same_path",
                            "same through PrometheusServlet → Prometheus → that Alertmanager, from its own rule's condition (one slow batch), p50",
                            "measured",
                            0,
                            "measured"),
                    new Target(
                            "detect_speedup_same_path",
                            "baseline ÷ Streamwatch, both through the same Alertmanager",
                            ">=",
                            100,
                            "≥ 100×"));

    private Targets() {}

    /** "met", "missed", "measured" (no target) or "not measured", per key. */
    static Map<String, Object> assess(Map<String, Object> root) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Target t : ALL) {
            Object v = root.get(t.key());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", t.text());
            m.put("verdict", verdict(t, v, root));
            out.put(t.key(), m);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static String verdict(Target t, Object v, Map<String, Object> root) {
        if (!(v instanceof Number n)) return "not measured";
        double x = n.doubleValue();
        if (t.op().equals("==")) {
            // a zero target must hold in every run, not just in the median
            Object s = ((Map<String, Object>) root.getOrDefault("spread", Map.of())).get(t.key());
            if (s instanceof Map<?, ?> sm && sm.get("max") instanceof Number max)
                x = max.doubleValue();
        }
        return switch (t.op()) {
            case "<=" -> x <= t.bound() ? "met" : "missed";
            case ">=" -> x >= t.bound() ? "met" : "missed";
            case "==" -> x == t.bound() ? "met" : "missed";
            default -> "measured";
        };
    }
}
