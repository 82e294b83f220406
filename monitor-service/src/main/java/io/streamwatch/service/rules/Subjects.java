package io.streamwatch.service.rules;

import java.util.List;
import java.util.Optional;

/**
 * One kind of subject the rules look at and where its windows ({@code W}) come from: apps from the
 * app registry ({@link AppSubjects}), their Structured Streaming queries ({@link QuerySubjects}),
 * Kafka lag of apps and consumer groups from the lag history ({@link LagSubjects}).
 */
interface Subjects<W> {
    /**
     * Every subject's window, with at least the newest {@code size} batches or samples there are.
     */
    List<W> all(int size);

    /**
     * As {@link #all(int)}, leaving out the subjects {@code skip} names; {@code skip} is asked once
     * for every subject there is, before its window is built where the source allows.
     */
    default List<W> all(int size, java.util.function.Predicate<Subject> skip) {
        List<W> out = new java.util.ArrayList<>();
        for (W w : all(size)) {
            if (!skip.test(subject(w))) out.add(w);
        }
        return out;
    }

    /**
     * The app's windows (one, or one per query) with the newest {@code size} batches or samples;
     * empty when this kind has none for it.
     */
    List<W> app(String app, int size);

    /**
     * True when {@link #app} is answered for every change of the app although most of its subjects
     * did not change (one app, many queries): then only the subjects whose {@link #evidence}
     * changed are evaluated at once, and the clock-driven rules look at the others within a second.
     */
    default boolean onlyChangedSubjects() {
        return false;
    }

    /**
     * {@code w} again with the newest {@code size} batches or samples; empty if the subject is
     * gone.
     */
    Optional<W> widen(W w, int size);

    Subject subject(W w);

    /** The time the window was taken, epoch ms. */
    long now(W w);

    /**
     * When the subject last reported all it normally reports (for an app, the older of its last
     * heartbeat and its last completed batch), epoch ms. The start-up grace spares only subjects
     * not fully heard from since the service started; by default none is spared.
     */
    default long lastHeard(W w) {
        return Long.MAX_VALUE;
    }

    /** A subject that has ended cleanly has every alert cleared. */
    boolean finished(W w);

    /**
     * Everything in {@code w} that the rules which are not clock-driven read (batches, interval,
     * samples): as long as it is equal, so are their verdicts, and they need not be asked again.
     */
    Object evidence(W w);
}
