package io.streamwatch.service.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a configuration key accepts, written on the record component that holds it. The loader, the
 * {@code STREAMWATCH_*} overrides and the README check all read these; nothing else lists the
 * schema.
 */
public final class Constraints {
    private Constraints() {}

    /**
     * The value used when the key is absent or null, written as in YAML ({@code 30s}, {@code
     * 9470}).
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Default {
        String value();
    }

    /** A number between {@code min} and {@code max}, both included. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Range {
        double min() default Long.MIN_VALUE;

        double max() default Long.MAX_VALUE;
    }

    /** A duration no shorter than this, e.g. {@code 1s}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface AtLeast {
        String value();
    }

    /** Must be given; {@code value} says what to write. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Required {
        String value();
    }

    /**
     * When given, an absolute http(s) URL; {@code value} says what it points at, with an example.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface HttpUrl {
        String value();
    }

    /** A secret written as one value (e.g. a routing key) rather than as a list. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface SingleValue {}

    /** When given, a file the service can read at startup. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface ReadableFile {}

    /**
     * A file of tokens, one per line ({@code #} comments and blank lines skipped), whose lines are
     * added to the sibling key named by {@code value} when the configuration is read.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface LinesAddedTo {
        String value();
    }

    /**
     * A record that checks rules spanning several of its keys (e.g. a PagerDuty receiver needs its
     * key).
     */
    public interface CrossChecked {
        /** What is wrong, each with its key relative to this record; empty when all is well. */
        java.util.List<Violation> violations();
    }

    /** One broken rule: the key (relative to its record) and what is wrong and what to do. */
    public record Violation(String key, String message) {}
}
