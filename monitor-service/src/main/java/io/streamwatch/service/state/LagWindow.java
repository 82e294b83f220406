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
     */
    public record Sample(long at, long records, Double seconds) {}
}
