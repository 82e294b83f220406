package io.streamwatch.service.state;

/**
 * Running totals that stop at {@link Long#MAX_VALUE} instead of wrapping to a negative number: a
 * counter exported to Prometheus must never go negative, whatever was reported.
 */
final class Saturating {
    private Saturating() {}

    /** {@code total + n} for {@code n >= 0}, or {@link Long#MAX_VALUE} when that overflows. */
    static long add(long total, long n) {
        long sum = total + n;
        return ((total ^ sum) & (n ^ sum)) < 0 ? (n < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }
}
