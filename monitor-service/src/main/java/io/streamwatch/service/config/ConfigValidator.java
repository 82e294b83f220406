package io.streamwatch.service.config;

import io.streamwatch.service.config.ConfigKeys.Key;
import io.streamwatch.service.config.Constraints.AtLeast;
import io.streamwatch.service.config.Constraints.CrossChecked;
import io.streamwatch.service.config.Constraints.HttpUrl;
import io.streamwatch.service.config.Constraints.Range;
import io.streamwatch.service.config.Constraints.ReadableFile;
import io.streamwatch.service.config.Constraints.Required;
import io.streamwatch.service.config.Constraints.Violation;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Checks a bound configuration against the {@link Constraints} on its records, walking every record
 * and list of records. Keys whose value already could not be read are skipped (one problem per
 * key).
 */
final class ConfigValidator {
    private final Problems problems;

    ConfigValidator(Problems problems) {
        this.problems = problems;
    }

    void check(Record record, String path) {
        if (record == null) return;
        for (Key key : ConfigKeys.of(record.getClass())) {
            String at = path.isEmpty() ? key.name() : path + "." + key.name();
            Object value = valueOf(record, key);
            if (!problems.has(at)) checkValue(key, at, value);
            if (value instanceof Record nested && key.shape() == ConfigKeys.Shape.RECORD) {
                check(nested, at);
            } else if (value instanceof List<?> list
                    && key.shape() == ConfigKeys.Shape.RECORD_LIST) {
                for (int i = 0; i < list.size(); i++)
                    check((Record) list.get(i), at + "[" + i + "]");
            }
        }
        if (record instanceof CrossChecked checked) {
            for (Violation v : checked.violations()) {
                String at = path + "." + v.key();
                if (!problems.has(at)) problems.add(at, v.message());
            }
        }
    }

    private void checkValue(Key key, String at, Object value) {
        var c = key.component();
        Required required = c.getAnnotation(Required.class);
        if (value == null) {
            if (required != null) problems.add(at, "required; " + required.value());
            return;
        }
        Range range = c.getAnnotation(Range.class);
        if (range != null && value instanceof Number n) {
            double d = n.doubleValue();
            if (!(d >= range.min()))
                problems.add(at, "must be at least " + number(range.min()) + ", got " + number(d));
            else if (!(d <= range.max()))
                problems.add(at, "must be at most " + number(range.max()) + ", got " + number(d));
        }
        AtLeast atLeast = c.getAnnotation(AtLeast.class);
        if (atLeast != null
                && value instanceof Duration d
                && d.compareTo(Durations.parse(atLeast.value())) < 0) {
            problems.add(
                    at, "must be at least " + atLeast.value() + ", got " + Durations.format(d));
        }
        HttpUrl url = c.getAnnotation(HttpUrl.class);
        if (url != null && !isHttpUrl(value.toString())) {
            problems.add(at, "'" + value + "' is not an http(s) URL; write " + url.value());
        }
        if (c.isAnnotationPresent(ReadableFile.class) && !Files.isReadable((Path) value)) {
            problems.add(
                    at,
                    "cannot read '"
                            + value
                            + "'; check the path and that the service user may read it");
        }
    }

    private static Object valueOf(Record record, Key key) {
        try {
            return key.component().getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(
                    "cannot read " + key.name() + " of " + record.getClass().getSimpleName(), e);
        }
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI u = URI.create(url);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15
                ? Long.toString((long) d)
                : String.valueOf(d);
    }
}
