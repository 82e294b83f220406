package io.streamwatch.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A figure from repeated runs: the median, and its spread (min, max, interquartile range) over the
 * runs. Percentiles use linear interpolation between closest ranks.
 */
record Stats(
        int n, double median, double min, double max, double p25, double p75, List<Double> values) {

    static Stats of(Collection<? extends Number> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("no samples");
        List<Double> v = new ArrayList<>();
        for (Number s : samples) v.add(s.doubleValue());
        List<Double> sorted = new ArrayList<>(v);
        sorted.sort(Double::compare);
        return new Stats(
                v.size(),
                percentile(sorted, 50),
                sorted.get(0),
                sorted.get(sorted.size() - 1),
                percentile(sorted, 25),
                percentile(sorted, 75),
                List.copyOf(v));
    }

    /** The {@code p}th percentile (0–100) of already sorted values. */
    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) throw new IllegalArgumentException("no samples");
        double rank = p / 100.0 * (sorted.size() - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (rank - lo);
    }

    static double percentileOf(Collection<? extends Number> samples, double p) {
        List<Double> sorted = new ArrayList<>();
        for (Number s : samples) sorted.add(s.doubleValue());
        sorted.sort(Double::compare);
        return percentile(sorted, p);
    }

    /** For latest.json: the spread object. */
    Map<String, Object> spread(String unit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", unit);
        m.put("runs", n);
        m.put("median", round(median));
        m.put("min", round(min));
        m.put("max", round(max));
        m.put("iqr", List.of(round(p25), round(p75)));
        m.put("values", values.stream().map(Stats::round).toList());
        return m;
    }

    static double round(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return d;
        double a = Math.abs(d);
        double scale = a >= 100 ? 1 : a >= 1 ? 100 : 10_000;
        return Math.round(d * scale) / scale;
    }
}
