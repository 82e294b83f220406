package io.streamwatch.service.rules;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamwatch.service.notify.AlertRenderer;
import io.streamwatch.service.notify.AlertSink;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.LagWindow;
import io.streamwatch.service.state.QueryWindow;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs the alert rules and turns what they conclude into alerts: inactive → pending → firing →
 * resolved ({@link AlertMachine}), announced to an {@link AlertSink}, which returns at once, and
 * re-sent every {@code resendInterval} while firing. An app is evaluated by every rule the moment
 * its state changes ({@link #evaluate(String)}); once a second the {@link AlertScheduler} asks the
 * clock-driven rules about every subject ({@link #tick()}).
 *
 * <p>Subjects are apps, with the rules over their batches ({@code Rule<AppWindow>}), the Structured
 * Streaming queries of apps, with the rules over their micro-batches ({@code Rule<QueryWindow>},
 * evaluated like an app's whenever their app's state changes), and apps and consumer groups with
 * Kafka lag, with the rules over their lag samples ({@code Rule<LagWindow>}).
 */
public final class AlertEngine implements AutoCloseable {
    private final List<RuleSet<?>> ruleSets;
    private final AlertBook book;
    private final AlertScheduler scheduler;
    private final Clock clock;

    /** An engine for apps only (no Kafka lag). */
    public AlertEngine(
            List<? extends Rule<AppWindow>> rules,
            AppRegistry registry,
            AlertSink sink,
            Clock clock,
            Duration resendInterval,
            String externalUrl,
            MeterRegistry meters) {
        this(
                rules,
                registry,
                sink,
                clock,
                resendInterval,
                externalUrl,
                meters,
                List::of,
                List.of());
    }

    /** An engine for apps and Kafka lag, without rules over Structured Streaming queries. */
    public AlertEngine(
            List<? extends Rule<AppWindow>> rules,
            AppRegistry registry,
            AlertSink sink,
            Clock clock,
            Duration resendInterval,
            String externalUrl,
            MeterRegistry meters,
            Supplier<List<LagWindow>> lagSource,
            List<? extends Rule<LagWindow>> lagRules) {
        this(
                rules,
                List.of(),
                registry,
                sink,
                clock,
                resendInterval,
                externalUrl,
                meters,
                lagSource,
                lagRules);
    }

    /**
     * @param rules the rules over each app's batches
     * @param queryRules the rules over each Structured Streaming query's micro-batches
     * @param lagSource recent Kafka lag per app and consumer group
     * @param lagRules the rules over those lag samples (none without Kafka)
     * @param externalUrl where Streamwatch is reachable, for the links in alerts
     */
    public AlertEngine(
            List<? extends Rule<AppWindow>> rules,
            List<? extends Rule<QueryWindow>> queryRules,
            AppRegistry registry,
            AlertSink sink,
            Clock clock,
            Duration resendInterval,
            String externalUrl,
            MeterRegistry meters,
            Supplier<List<LagWindow>> lagSource,
            List<? extends Rule<LagWindow>> lagRules) {
        this.ruleSets =
                List.of(
                        new RuleSet<>(new AppSubjects(registry), rules),
                        new RuleSet<>(new QuerySubjects(registry), queryRules),
                        new RuleSet<>(new LagSubjects(lagSource), lagRules));
        this.book =
                new AlertBook(
                        new AlertMachine(resendInterval), sink, new AlertRenderer(externalUrl));
        this.scheduler = new AlertScheduler(ruleSets, book, clock);
        this.clock = clock;
        List<Rule<?>> all = new ArrayList<>(rules);
        all.addAll(queryRules);
        all.addAll(lagRules);
        FiringGauges.register(meters, all, book::firing);
    }

    /**
     * Restores stored alert states (firing ones stay firing and are not sent again; their resolve
     * will be) and keeps every transition from now on.
     */
    public void persistTo(AlertPersistence p) {
        book.persistTo(p);
    }

    /**
     * From now for {@code grace}, rules that judge silence ({@link Rule#judgesSilence()}: app down,
     * stalled) may not fire for an app not heard from since now: after a restart the service's own
     * downtime looks like silence, and listeners that were retrying need a moment to report again.
     * Alerts already firing stay firing; an app that reports clears as usual, and an app heard from
     * after now is judged as usual.
     */
    public AlertEngine startupGrace(Duration grace) {
        long start = clock.millis();
        RuleSet.Grace g = new RuleSet.Grace(start, start + grace.toMillis());
        for (RuleSet<?> set : ruleSets) set.grace(g);
        return this;
    }

    /** Starts the once-a-second {@link #tick()}. */
    public AlertEngine start() {
        scheduler.start();
        return this;
    }

    /**
     * Evaluates every rule over one app now: call it when the app's state changed. Cheap; safe from
     * any thread.
     */
    public void evaluate(String app) {
        for (RuleSet<?> set : ruleSets) set.evaluate(app, book);
    }

    /**
     * What the timer does each second: the clock-driven rules over every subject (and the other
     * rules over subjects that changed unannounced), forgets subjects that are gone, re-sends
     * firing alerts that are due.
     */
    public void tick() {
        scheduler.tick();
    }

    /** Firing (and, with {@code all}, pending and recently resolved) alerts, newest first. */
    public List<AlertView> alerts(boolean all) {
        return book.views(all);
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
