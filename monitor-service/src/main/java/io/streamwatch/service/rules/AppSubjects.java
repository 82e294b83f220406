package io.streamwatch.service.rules;

import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.BatchRecord;
import java.util.List;
import java.util.Optional;

/** Apps, as the app registry knows them. */
final class AppSubjects implements Subjects<AppWindow> {
    private final AppRegistry registry;

    AppSubjects(AppRegistry registry) {
        this.registry = registry;
    }

    /** What the batch rules read of an app, so that a change to it (however it came) is noticed. */
    private record Evidence(
            String appId, Long batchIntervalMs, boolean finished, BatchRecord newest) {}

    @Override
    public List<AppWindow> all(int size) {
        return registry.windows(Math.max(size, 1)); // the newest batch is part of the evidence
    }

    @Override
    public List<AppWindow> all(int size, java.util.function.Predicate<Subject> skip) {
        return registry.windows(Math.max(size, 1), app -> skip.test(Subject.app(app)));
    }

    @Override
    public List<AppWindow> app(String app, int size) {
        return registry.window(app, size).map(List::of).orElse(List.of());
    }

    @Override
    public Optional<AppWindow> widen(AppWindow w, int size) {
        return w.recent().size() >= size ? Optional.of(w) : registry.window(w.app(), size);
    }

    @Override
    public Subject subject(AppWindow w) {
        return Subject.app(w.app());
    }

    @Override
    public long now(AppWindow w) {
        return w.now();
    }

    @Override
    public long lastHeard(AppWindow w) {
        return Math.min(w.lastSeen(), w.lastProgressAt());
    }

    @Override
    public boolean finished(AppWindow w) {
        return w.finished();
    }

    @Override
    public Object evidence(AppWindow w) {
        return new Evidence(w.appId(), w.batchIntervalMs(), w.finished(), w.newest());
    }
}
