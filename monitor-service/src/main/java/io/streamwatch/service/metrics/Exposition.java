package io.streamwatch.service.metrics;

import io.streamwatch.service.state.Buckets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Writes families of per-subject series (a subject is an app or a query) straight to a {@link
 * TextWriter}, family by family as the format wants them, one line per data point, with no object
 * per data point. Histograms are written sparsely: a bucket is left out while it and the bucket
 * above it are both empty (so every bucket that holds observations is there together with its lower
 * edge, {@code histogram_quantile} gives what the full layout gives), and {@code +Inf} always is.
 */
final class Exposition {
    private Exposition() {}

    /** Receives the data point of one family for one subject; a family may give none. */
    interface Sample {
        /** A gauge's or counter's value (a counter's is never negative). */
        void value(double v);

        void histogram(Buckets.Snapshot h);

        /**
         * An info series: the values of its labels after the subject's own. An empty value is left
         * out with its label (Prometheus treats {@code x=""} and no {@code x} as the same series).
         */
        void info(String... values);
    }

    /** One family of the catalogue and how to read its data point from a subject. */
    record Family<S>(Series series, BiConsumer<S, Sample> point) {}

    /** A subject, with its labels already written out ({@code app="x",query="y"}). */
    record Subject<S>(S data, String labels) {}

    /** The escaped label pairs {@code names[i]="values[i]"} joined by commas. */
    static String labels(List<String> names, String... values) {
        StringBuilder b = new StringBuilder(32);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) b.append(',');
            b.append(names.get(i)).append("=\"");
            escapeInto(b, values[i]);
            b.append('"');
        }
        return b.toString();
    }

    private static void escapeInto(StringBuilder b, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '"' -> b.append("\\\"");
                default -> b.append(c);
            }
        }
    }

    /**
     * Checks that every family can render {@code subject}, without writing: false when one cannot
     * (a negative counter, a damaged histogram), so the subject is left out whole.
     */
    static <S> void check(S subject, List<Family<S>> families) {
        Checker c = new Checker();
        for (Family<S> f : families) {
            c.family = f.series();
            f.point().accept(subject, c);
        }
    }

    /** Writes {@code families}, each over every subject, headers before a family's first line. */
    static <S> void write(
            TextWriter out,
            boolean openMetrics,
            List<Family<S>> families,
            List<Subject<S>> subjects,
            int subjectLabels)
            throws IOException {
        Writer w = new Writer(out, openMetrics, subjectLabels);
        try {
            for (Family<S> f : families) {
                w.start(f.series());
                for (Subject<S> s : subjects) {
                    w.subject = s.labels();
                    f.point().accept(s.data(), w);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static final class Checker implements Sample {
        Series family;

        @Override
        public void value(double v) {
            if (family.type() == MetricCatalogue.Type.COUNTER && !(v >= 0)) {
                throw new IllegalArgumentException(
                        family.baseName() + ": a counter cannot be " + v);
            }
        }

        @Override
        public void histogram(Buckets.Snapshot h) {
            long total = 0;
            for (long c : h.counts()) {
                if (c < 0) throw new IllegalArgumentException(family.baseName() + ": count " + c);
                total += c;
            }
            if (h.counts().length != Buckets.SECONDS.length + 1 || total != h.count()) {
                throw new IllegalArgumentException(family.baseName() + ": inconsistent buckets");
            }
        }

        @Override
        public void info(String... values) {
            for (String v : values) {
                if (v == null) throw new IllegalArgumentException(family.baseName() + ": null");
            }
        }
    }

    private static final class Writer implements Sample {
        private static final String[] LE = new String[Buckets.SECONDS.length];

        static {
            for (int i = 0; i < LE.length; i++) LE[i] = Double.toString(Buckets.SECONDS[i]);
        }

        private final TextWriter out;
        private final boolean openMetrics;
        private final int subjectLabels;
        private Series family;
        private String name;
        private boolean headerDone;
        String subject;

        Writer(TextWriter out, boolean openMetrics, int subjectLabels) {
            this.out = out;
            this.openMetrics = openMetrics;
            this.subjectLabels = subjectLabels;
        }

        void start(Series f) {
            family = f;
            name = f.exposedName();
            headerDone = false;
        }

        private void header() throws IOException {
            if (headerDone) return;
            headerDone = true;
            String typeName = openMetrics ? family.baseName() : name;
            String type =
                    switch (family.type()) {
                        case COUNTER -> "counter";
                        case HISTOGRAM -> "histogram";
                        case INFO -> openMetrics ? "info" : "gauge";
                        default -> "gauge";
                    };
            out.ascii("# HELP ").ascii(typeName).ch(' ').escaped(family.help(), openMetrics);
            out.ch('\n').ascii("# TYPE ").ascii(typeName).ch(' ').ascii(type).ch('\n');
        }

        @Override
        public void value(double v) {
            try {
                header();
                out.ascii(name).ch('{').ascii(subject).ascii("} ").value(v).ch('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void histogram(Buckets.Snapshot h) {
            try {
                header();
                long[] counts = h.counts();
                long cumulative = 0;
                for (int i = 0; i < LE.length; i++) {
                    cumulative += counts[i];
                    if (counts[i] == 0 && counts[i + 1] == 0) continue;
                    sample("_bucket").ascii(",le=\"").ascii(LE[i]).ascii("\"} ");
                    out.value(cumulative).ch('\n');
                }
                sample("_bucket").ascii(",le=\"+Inf\"} ").value(h.count()).ch('\n');
                sample("_count").ascii("} ").value(h.count()).ch('\n');
                // the observations are whole milliseconds: the sum needs no more digits than that
                sample("_sum").ascii("} ").value(Math.round(h.sumSeconds() * 1e3) / 1e3).ch('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private TextWriter sample(String suffix) throws IOException {
            return out.ascii(name).ascii(suffix).ch('{').ascii(subject);
        }

        @Override
        public void info(String... values) {
            try {
                header();
                out.ascii(name).ch('{').ascii(subject);
                List<String> names = family.labels();
                for (int i = 0; i < values.length; i++) {
                    // an empty label is an absent label to Prometheus: the same series, shorter
                    if (values[i].isEmpty()) continue;
                    out.ch(',').ascii(names.get(subjectLabels + i)).ascii("=\"");
                    out.escaped(values[i], true).ch('"');
                }
                out.ascii("} 1\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
