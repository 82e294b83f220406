package io.streamwatch.service.rules;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.state.LagWindow;
import java.util.List;

/**
 * Kafka lag of an app or consumer group rises across the last {@code window} polls: a sustained
 * trend (least-squares slope of lag in records above zero, at least 60 % of polls rising, as in
 * {@link DelayGrowing}) while the consumer is at least {@code floorSeconds} behind the head, so a
 * small or idle lag does not page. Clears when the slope is no longer positive or the lag falls
 * below half the floor.
 */
public final class KafkaLagGrowing extends NamedRule<LagWindow> {
    public static final String NAME = "KafkaLagGrowing";
    private final int window;
    private final double floorSeconds;

    public KafkaLagGrowing(int window, double floorSeconds) {
        super(NAME, Severity.WARNING, window, Trigger.EVIDENCE);
        this.window = window;
        this.floorSeconds = floorSeconds;
    }

    @Override
    public Check check(LagWindow w) {
        List<LagWindow.Sample> samples = w.samples();
        if (samples.isEmpty()) return Check.hold();
        LagWindow.Sample latest = samples.get(samples.size() - 1);
        if (latest.records() == 0
                || (latest.seconds() != null
                        && !latest.secondsAtLeast() // a lower bound proves no catching up
                        && latest.seconds() < floorSeconds / 2)) return Check.clear();
        if (samples.size() < window) return Check.hold();
        long[] lag = new long[window];
        for (int i = 0; i < window; i++)
            lag[i] = samples.get(samples.size() - window + i).records();
        double slope = DelayGrowing.slope(lag);
        if (slope <= 0) return Check.clear();
        double share = DelayGrowing.risingShare(lag);
        if (latest.seconds() == null
                || latest.seconds() < floorSeconds
                || share < DelayGrowing.MIN_RISING_SHARE) return Check.hold();
        String summary =
                "Kafka lag rose from "
                        + lag[0]
                        + " to "
                        + lag[window - 1]
                        + " records over "
                        + window
                        + " polls ("
                        + Format.seconds(Math.round(latest.seconds() * 1000))
                        + " behind)";
        return new Check(
                Verdict.FIRING,
                summary,
                "The Kafka lag of "
                        + w.label()
                        + " '"
                        + w.subject()
                        + "' grew in "
                        + Math.round(share * 100)
                        + " % of its last "
                        + window
                        + " polls, to "
                        + lag[window - 1]
                        + " records, about "
                        + Format.seconds(Math.round(latest.seconds() * 1000))
                        + " behind the head of its topics. Consumption is slower than production.");
    }
}
