package io.streamwatch.service.rules;

import java.util.Locale;

/** Numbers as an operator reads them in a page. */
final class Format {
    private Format() {}

    static String seconds(long millis) {
        double s = millis / 1000.0;
        if (s < 10) return String.format(Locale.ROOT, "%.1f s", s);
        if (s < 120) return String.format(Locale.ROOT, "%.0f s", s);
        if (s < 7200) return String.format(Locale.ROOT, "%.1f min", s / 60);
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }

    static String firstLine(String text, int max) {
        if (text == null) return "";
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > max ? line.substring(0, max) + "…" : line;
    }
}
