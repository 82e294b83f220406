package io.streamwatch.service.rules;

/**
 * A rule's conclusion, with the numbers behind it for the page ("processing 1.7 s > interval 1.0 s
 * for 3 batches").
 */
public record Check(Verdict verdict, String summary, String description) {
    public static Check clear() {
        return new Check(Verdict.CLEAR, null, null);
    }

    public static Check hold() {
        return new Check(Verdict.HOLD, null, null);
    }
}
