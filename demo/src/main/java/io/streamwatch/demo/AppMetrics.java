package io.streamwatch.demo;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One app's numbers, or one of its queries', as the service exports them on {@code /metrics}: the
 * product's own view, not the demo's. Series with a {@code topic} label (Kafka lag) are combined
 * over topics: records summed, seconds the furthest behind.
 */
record AppMetrics(Map<String, Double> values) {
    private static final Pattern SAMPLE =
            Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)} (\\S+)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The app's own series (DStreams): those with its {@code app} label and no {@code query}. */
    static AppMetrics parse(String exposition, String app) {
        return parse(exposition, app, null);
    }

    /**
     * The series of {@code query} of {@code app}, or with a null {@code query} the app's own
     * series.
     */
    static AppMetrics parse(String exposition, String app, String query) {
        Map<String, Double> values = new HashMap<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            Map<String, String> labels = labels(m.group(2));
            if (!app.equals(labels.get("app"))) continue;
            if (query == null ? labels.containsKey("query") : !query.equals(labels.get("query")))
                continue;
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

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        Matcher m = LABEL.matcher(text);
        while (m.find()) labels.put(m.group(1), unescape(m.group(2)));
        return labels;
    }

    /** A label value as written in the exposition format: {@code \\}, {@code \"}, {@code \n}. */
    private static String unescape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char next = value.charAt(++i);
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    Double get(String name) {
        return values.get(name);
    }

    long batchesCompleted() {
        Double v = values.get("spark_streaming_batches_completed_total");
        return v == null ? 0 : v.longValue();
    }

    long microBatchesCompleted() {
        Double v = values.get("spark_structured_streaming_batches_completed_total");
        return v == null ? 0 : v.longValue();
    }

    /**
     * The app's compact live line: interval, last processing time, scheduling delay, waiting
     * batches, Kafka lag.
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

    /**
     * A query's compact live line: trigger interval, last micro-batch's duration, input and
     * processing rates, Kafka lag.
     */
    String queryLiveLine() {
        return "trigger "
                + seconds("spark_structured_streaming_trigger_interval_seconds", 1)
                + " | micro-batch "
                + seconds("spark_structured_streaming_last_batch_duration_seconds", 2)
                + " | input "
                + count("spark_structured_streaming_input_rate_rows_per_second")
                + " rows/s | processed "
                + count("spark_structured_streaming_processing_rate_rows_per_second")
                + " rows/s | kafka lag "
                + count("spark_structured_streaming_kafka_lag_records")
                + " records, "
                + seconds("spark_structured_streaming_kafka_lag_seconds", 1);
    }

    private String seconds(String name, int decimals) {
        Double v = values.get(name);
        return v == null ? "-" : String.format(Locale.ROOT, "%." + decimals + "f s", v);
    }

    private String count(String name) {
        Double v = values.get(name);
        return v == null ? "-" : String.format(Locale.ROOT, "%d", Math.round(v));
    }
}
