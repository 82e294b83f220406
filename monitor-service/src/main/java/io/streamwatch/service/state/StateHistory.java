package io.streamwatch.service.state;

import java.util.ArrayList;
import java.util.List;

/**
 * A query's state size over a long window ({@code alerting.stateGrowthWindow}), downsampled: at
 * most one sample per {@value #SAMPLES}th of the window, so a 2 h window holds about 120 samples
 * whatever the trigger interval. Kept with the query (also across its runs and across a restart of
 * the service), for {@code StreamingStateGrowing}. Times are Spark's progress timestamps.
 */
public final class StateHistory {
    /** Samples per window. */
    static final int SAMPLES = 120;

    /** Immutable; replaced on each new sample, so a window can share it. */
    private List<Sample> samples = List.of();

    /**
     * State size at one micro-batch.
     *
     * @param at Spark's progress timestamp (epoch ms)
     * @param rows state rows summed over the state operators
     * @param memoryBytes state memory summed over the state operators
     */
    public record Sample(long at, long rows, long memoryBytes) {}

    StateHistory() {}

    StateHistory(List<Sample> stored) {
        if (stored != null) samples = List.copyOf(stored);
    }

    List<Sample> samples() {
        return samples;
    }

    /**
     * Adds {@code b}'s state size if the newest sample is a {@value #SAMPLES}th of {@code windowMs}
     * old (or {@code b} is older than it: a clock that went back starts afresh), dropping samples
     * older than the window.
     */
    void add(MicroBatch b, long windowMs) {
        long spacing = Math.max(1, windowMs / SAMPLES);
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        if (last != null && b.timestamp() >= last.at() && b.timestamp() - last.at() < spacing)
            return;
        List<Sample> next = new ArrayList<>(samples.size() + 1);
        if (last != null && b.timestamp() >= last.at()) {
            for (Sample s : samples) {
                if (b.timestamp() - s.at() <= windowMs + spacing) next.add(s);
            }
        }
        next.add(new Sample(b.timestamp(), b.stateRows(), b.stateMemoryBytes()));
        while (next.size() > SAMPLES + 2) next.remove(0);
        samples = List.copyOf(next);
    }
}
