package io.streamwatch.service.ingest;

import java.util.List;

/**
 * Checks the bound fields of one JSON object against the protocol's rules; every failure is a 400
 * whose message starts with the field's path ({@code events[3].batch.processingTimeMs: must be >=
 * 0, got -5}).
 */
final class Fields {
    static final long MIN_EPOCH_MS = 946_684_800_000L; // 2000-01-01
    static final long MAX_FUTURE_MS = 86_400_000L;
    static final long MAX_DURATION_MS = 366L * 86_400_000L;

    /**
     * Upper bounds of the counts a listener reports (docs/PROTOCOL.md, "Bounds"): far above what a
     * real Spark app reaches, low enough that a century of batches at the bound cannot overflow a
     * running total.
     */
    static final long MAX_SEQ = (1L << 53) - 1;

    static final long MAX_RECORDS = 1_000_000_000L;
    static final long MAX_OFFSET = (1L << 53) - 1;
    static final long MAX_QUEUED = 1_000_000_000L;
    static final int MAX_ID = 1_000_000;
    static final double MAX_RATE = 1e12;

    /** The object's path with a trailing dot ({@code "events[3].batch."}), or "" at the top. */
    private final String path;

    private final long now;

    Fields(String path, long now) {
        this.path = path;
        this.now = now;
    }

    /** The fields of the object in {@code field}. */
    Fields in(String field) {
        return new Fields(path + field + ".", now);
    }

    /** The fields of the object at {@code field[index]}. */
    Fields in(String field, int index) {
        return new Fields(path + field + "[" + index + "].", now);
    }

    RejectedException bad(String field, String problem) {
        return RejectedException.badRequest(path + field + ": " + problem);
    }

    <T> T required(String field, T value) {
        if (value == null) throw bad(field, "required");
        return value;
    }

    /** An array of at most {@code max} objects (JSON nulls in it are refused). */
    <T> List<T> list(String field, List<T> value, int max) {
        List<T> list = required(field, value);
        if (list.size() > max)
            throw bad(
                    field,
                    "at most "
                            + max
                            + " entries per request, got "
                            + list.size()
                            + "; send smaller requests");
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null)
                throw bad(field + "[" + i + "]", "must be an object, got null");
        }
        return list;
    }

    <T> List<T> optionalList(String field, List<T> value, int max) {
        return value == null ? List.of() : list(field, value, max);
    }

    long whole(String field, Long value, long min, long max) {
        long n = required(field, value);
        if (n < min) throw bad(field, "must be >= " + min + ", got " + n);
        if (n > max) throw bad(field, "must be <= " + max + ", got " + n);
        return n;
    }

    long optionalWhole(String field, Long value, long min, long max, long fallback) {
        return value == null ? fallback : whole(field, value, min, max);
    }

    /** A stream id, partition or output operation id: 0 to {@link #MAX_ID}. */
    int index(String field, Long value) {
        return (int) whole(field, value, 0, MAX_ID);
    }

    /** Epoch milliseconds between 2000-01-01 and one day after the service's clock. */
    long timestamp(String field, Long value) {
        long t = required(field, value);
        if (t < MIN_EPOCH_MS || t > now + MAX_FUTURE_MS) {
            throw bad(
                    field,
                    "must be epoch milliseconds between 2000-01-01 and one day from now, got " + t);
        }
        return t;
    }

    Long optionalTimestamp(String field, Long value) {
        return value == null ? null : timestamp(field, value);
    }

    /** Milliseconds, 0 to a year. */
    long duration(String field, Long value) {
        return whole(field, value, 0, MAX_DURATION_MS);
    }

    Long optionalDuration(String field, Long value) {
        return value == null ? null : duration(field, value);
    }

    /** A rate: a finite number >= 0, or null (unknown). */
    Double optionalRate(String field, Double value) {
        if (value == null) return null;
        if (!Double.isFinite(value) || value < 0 || value > MAX_RATE)
            throw bad(
                    field,
                    "must be a number from 0 to " + (long) MAX_RATE + " or null, got " + value);
        return value;
    }

    /**
     * A JSON object of at most {@code max} entries, none null; each key one line of visible text of
     * at most {@code keyMax} characters.
     */
    <V> java.util.Map<String, V> map(
            String field, java.util.Map<String, V> value, int max, int keyMax) {
        if (value == null) return java.util.Map.of();
        if (value.size() > max)
            throw bad(field, "at most " + max + " entries, got " + value.size());
        Fields in = in(field);
        for (java.util.Map.Entry<String, V> e : value.entrySet()) {
            String key = JsonProblems.clip(e.getKey());
            in.optionalLabel(key, e.getKey(), keyMax);
            if (e.getKey().isEmpty()) throw bad(field, "keys must not be empty");
            if (e.getValue() == null) throw in.bad(key, "must not be null");
        }
        return value;
    }

    /** A name: non-blank, bounded, one line of visible text (see {@link #optionalLabel}). */
    String name(String field, String value, int max) {
        return required(field, optionalName(field, value, max));
    }

    String optionalName(String field, String value, int max) {
        String s = optionalLabel(field, value, max);
        if (s != null && s.isBlank()) throw bad(field, "must not be blank");
        return s;
    }

    /**
     * Text that ends up in a metric label, a link or a log line: no control characters, no line or
     * paragraph separators, and no invisible format characters (zero-width spaces and joiners,
     * bidirectional overrides, byte order marks, tag characters: Unicode category Cf), which could
     * forge or hide output or make two keys that look the same.
     */
    String optionalLabel(String field, String value, int max) {
        String s = optionalText(field, value, max);
        if (s == null) return null;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (Character.isISOControl(c)
                    || c == 0x2028
                    || c == 0x2029
                    || Character.getType(c) == Character.FORMAT) {
                throw bad(
                        field,
                        "must not contain control characters (found U+"
                                + String.format("%04X", c)
                                + ")");
            }
            i += Character.charCount(c);
        }
        return s;
    }

    /** Free text (failure reasons may span lines): bounded, valid Unicode, no NUL. */
    String optionalText(String field, String value, int max) {
        if (value == null) return null;
        if (value.length() > max)
            throw bad(field, "at most " + max + " characters, got " + value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) throw bad(field, "must not contain NUL (U+0000)");
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad(
                        field,
                        "must be valid Unicode (found an unpaired surrogate U+"
                                + String.format("%04X", (int) c)
                                + ")");
            }
        }
        return value;
    }
}
