package io.streamwatch.demo;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One app's numbers as the service exports them on {@code /metrics}: the product's own view, not
 * the demo's. Series with a {@code topic} label (Kafka lag) are combined over topics: records
 * summed, seconds the furthest behind.
 */
record AppMetrics(Map<String, Double> values) {
    private static final Pattern SAMPLE =
            Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)} (\\S+)");

    static AppMetrics parse(String exposition, String app) {
        Map<String, Double> values = new HashMap<>();
        String wanted = "app=\"" + app.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            if (!(m.group(2).startsWith(wanted + ",")
                    || m.group(2).contains("," + wanted)
                    || m.group(2).equals(wanted))) continue;
            try {
                String name = m.group(1);
                values.merge(
                        name,
                        Double.parseDouble(m.group(3)),
                        name.endsWith("_lag_seconds") ? Math::max : Double::sum);
            } catch (NumberFormatException e) {
                // NaN and the like: not a number to show
            }
        }
        return new AppMetrics(values);
    }

    Double get(String name) {
        return values.get(name);
    }

    long batchesCompleted() {
        Double v = values.get("spark_streaming_batches_completed_total");
        return v == null ? 0 : v.longValue();
    }

    /**
     * The compact live line: interval, last processing time, scheduling delay, waiting batches,
     * Kafka lag.
     */
    String liveLine() {
        return "interval "
                + seconds("spark_streaming_batch_interval_seconds", 1)
                + " | processing "
                + seconds("spark_streaming_last_batch_processing_time_seconds", 2)
                + " | sched delay "
                + seconds("spark_streaming_last_batch_scheduling_delay_seconds", 1)
                + " | waiting batches "
                + count("spark_streaming_waiting_batches")
                + " | kafka lag "
                + count("spark_streaming_kafka_lag_records")
                + " records, "
                + seconds("spark_streaming_kafka_lag_seconds", 1);
    }

    private String seconds(String name, int decimals) {
        Double v = values.get(name);
        return v == null ? "-" : String.format(Locale.ROOT, "%." + decimals + "f s", v);
    }

    private String count(String name) {
        Double v = values.get(name);
        return v == null ? "-" : String.format(Locale.ROOT, "%d", v.longValue());
    }
}
