package io.streamwatch.service.state;

import java.util.List;

/**
 * Recent Kafka lag of one app ({@code label = "app"}) or one consumer group ({@code label =
 * "group"}), summed over its topics, one sample per poll, oldest first.
 */
public record LagWindow(String label, String subject, List<Sample> samples, long now) {
    public LagWindow {
        samples = List.copyOf(samples);
    }

    /**
     * @param seconds estimated time behind the head (max over topics); null when it cannot be
     *     estimated
     * @param secondsAtLeast {@code seconds} is only a lower bound: the consumer's position is older
     *     than anything the poller has seen since it started (after a restart, say), so the real
     *     time behind may be larger
     */
    public record Sample(long at, long records, Double seconds, boolean secondsAtLeast) {}
}
