package io.streamwatch.service.config;

import io.streamwatch.service.config.Constraints.Default;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration keys, derived from the records of {@link ServiceConfig}: a key is a record
 * component, named as in YAML. The YAML reader, the {@code STREAMWATCH_*} overrides, the validator
 * and the README check all walk this one description.
 */
public final class ConfigKeys {
    static final String ENV_PREFIX = "STREAMWATCH_";

    private ConfigKeys() {}

    /** How a key's value is written. */
    public enum Shape {
        /**
         * one value: a number, word, duration, path or URL; overridable by one environment variable
         */
        SCALAR,
        /** a list of values; in the environment comma-separated */
        LIST,
        /** a mapping of nested keys (a section, or e.g. {@code server.tls}) */
        RECORD,
        /**
         * a list of mappings, e.g. {@code alerting.receivers}; not overridable by the environment
         */
        RECORD_LIST,
        /**
         * free-form string properties, e.g. {@code kafka.properties}; not overridable by the
         * environment
         */
        MAP
    }

    /** One key of a record. */
    public record Key(RecordComponent component, Shape shape) {
        public String name() {
            return component.getName();
        }

        /**
         * The default as written in YAML, or null when the key has none (absent, or empty for
         * lists).
         */
        public String defaultText() {
            Default d = component.getAnnotation(Default.class);
            return d == null ? null : d.value();
        }

        /** The record a {@link Shape#RECORD} or {@link Shape#RECORD_LIST} key holds. */
        @SuppressWarnings("unchecked")
        public Class<? extends Record> recordType() {
            if (shape == Shape.RECORD) return (Class<? extends Record>) component.getType();
            return (Class<? extends Record>)
                    ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0];
        }

        public boolean fromEnvironment() {
            return shape == Shape.SCALAR || shape == Shape.LIST;
        }
    }

    /** A key with its full path, e.g. {@code server.tls.certFile}. */
    public record Leaf(String path, Key key) {}

    /** The keys of one record, in declaration order. */
    public static List<Key> of(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(c -> new Key(c, shapeOf(c))).toList();
    }

    /**
     * Every key a user can write that is not itself a mapping of keys, e.g. {@code
     * server.tls.certFile}, {@code alerting.receivers}.
     */
    public static List<Leaf> leaves() {
        List<Leaf> out = new ArrayList<>();
        collectLeaves(ServiceConfig.class, "", out);
        return out;
    }

    private static void collectLeaves(Class<? extends Record> type, String prefix, List<Leaf> out) {
        for (Key k : of(type)) {
            String path = prefix + k.name();
            if (k.shape() == Shape.RECORD) {
                collectLeaves(k.recordType(), path + ".", out);
            } else {
                out.add(new Leaf(path, k));
            }
        }
    }

    private static Shape shapeOf(RecordComponent c) {
        Class<?> t = c.getType();
        if (t.isRecord()
                && t != ServiceConfig.Secrets.class
                && t != ServiceConfig.SecretProperties.class) return Shape.RECORD;
        if (t == ServiceConfig.SecretProperties.class || Map.class.isAssignableFrom(t))
            return Shape.MAP;
        if (t == ServiceConfig.Secrets.class)
            return c.isAnnotationPresent(Constraints.SingleValue.class) ? Shape.SCALAR : Shape.LIST;
        if (List.class.isAssignableFrom(t)) {
            Object element = ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0];
            return element instanceof Class<?> e && e.isRecord() ? Shape.RECORD_LIST : Shape.LIST;
        }
        return Shape.SCALAR;
    }

    /**
     * {@code STREAMWATCH_} + the key path in upper snake case: server, port →
     * STREAMWATCH_SERVER_PORT.
     */
    public static String envName(String... path) {
        StringBuilder b = new StringBuilder(ENV_PREFIX.substring(0, ENV_PREFIX.length() - 1));
        for (String part : path) {
            for (String segment : part.split("\\.")) {
                b.append('_')
                        .append(
                                segment.replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                                        .toUpperCase(Locale.ROOT));
            }
        }
        return b.toString();
    }

    /**
     * The candidate closest to {@code typo} when it is close enough to be a likely slip, else null.
     */
    public static String closest(String typo, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(typo.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, typo.length() / 3) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
