package io.streamwatch.service.rules;

import io.streamwatch.service.state.LagWindow;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Apps and consumer groups with Kafka lag, from the lag history the Kafka poller keeps (every
 * sample it holds; the history is as long as the lag rules' window).
 */
final class LagSubjects implements Subjects<LagWindow> {
    private final Supplier<List<LagWindow>> source;

    LagSubjects(Supplier<List<LagWindow>> source) {
        this.source = source;
    }

    @Override
    public List<LagWindow> all(int size) {
        return source.get();
    }

    /** Lag is looked at when its samples change, not when an app reports. */
    @Override
    public List<LagWindow> app(String app, int size) {
        return List.of();
    }

    @Override
    public Optional<LagWindow> widen(LagWindow w, int size) {
        return Optional.of(w);
    }

    @Override
    public Subject subject(LagWindow w) {
        return new Subject(w.label(), w.subject());
    }

    @Override
    public long now(LagWindow w) {
        return w.now();
    }

    @Override
    public boolean finished(LagWindow w) {
        return false;
    }

    @Override
    public Object evidence(LagWindow w) {
        return w.samples();
    }
}
