package io.streamwatch.service.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rules for one kind of subject, with where its windows come from. Each subject's window is
 * read once per evaluation, as long as the longest window any rule declares, and every rule sees
 * that same window. The set remembers the evidence each subject was last evaluated on, so the timer
 * can tell which subjects changed without anyone saying so.
 */
final class RuleSet<W> {
    private final Subjects<W> subjects;
    private final List<Rule<W>> rules;
    private final List<Rule<W>> clockDriven;
    private final List<Rule<W>> eventDriven;
    private final int window;
    private final int clockWindow;

    /**
     * A subject judged by every rule less than this long ago (its app reported) is not asked again
     * by the timer: its clock-driven verdicts are that fresh already.
     */
    static final long FRESH_MS = 1000;

    private final Map<Subject, Seen> evaluatedOn = new ConcurrentHashMap<>();
    private volatile Grace grace = new Grace(Long.MIN_VALUE, Long.MIN_VALUE);

    /** From {@code start} to {@code until} (epoch ms), silence from before start is no evidence. */
    record Grace(long start, long until) {}

    /**
     * The evidence a subject was last evaluated on, and when (window time, epoch ms) every rule
     * last judged it; {@link #NEVER} when only the timer has.
     */
    private record Seen(Object evidence, long judgedAt) {}

    private static final long NEVER = Long.MIN_VALUE;

    RuleSet(Subjects<W> subjects, List<? extends Rule<W>> rules) {
        this.subjects = subjects;
        this.rules = List.copyOf(rules);
        this.clockDriven = this.rules.stream().filter(Rule::clockDriven).toList();
        this.eventDriven = this.rules.stream().filter(r -> !r.clockDriven()).toList();
        this.window = this.rules.stream().mapToInt(Rule::window).max().orElse(0);
        this.clockWindow = clockDriven.stream().mapToInt(Rule::window).max().orElse(0);
    }

    /**
     * During {@code grace}, rules that judge silence hold instead of firing (or going pending) for
     * subjects not heard from since its start: the start-up grace.
     */
    void grace(Grace grace) {
        this.grace = grace;
    }

    List<Rule<W>> rules() {
        return rules;
    }

    /**
     * Every rule over the app's subjects, now (its state changed); with {@link
     * Subjects#onlyChangedSubjects()}, over those whose evidence changed.
     */
    void evaluate(String app, AlertBook book) {
        if (rules.isEmpty()) return;
        for (W w : subjects.app(app, window)) {
            Object evidence = subjects.evidence(w);
            Subject subject = subjects.subject(w);
            Seen before = evaluatedOn.get(subject);
            boolean judge =
                    !subjects.onlyChangedSubjects()
                            || before == null
                            || !Objects.equals(before.evidence(), evidence);
            long judgedAt = judge ? subjects.now(w) : before.judgedAt();
            evaluatedOn.put(subject, new Seen(evidence, judgedAt));
            if (judge) evaluate(w, rules, book);
        }
    }

    /**
     * The clock-driven rules over every subject; the others only over subjects whose evidence
     * changed since they were last evaluated (a change nobody announced through {@link #evaluate}).
     * Subjects every rule judged less than {@link #FRESH_MS} ago are skipped. Adds every subject
     * seen to {@code present}.
     */
    void tick(AlertBook book, Set<Subject> present, long now) {
        if (rules.isEmpty()) return;
        Set<Subject> mine = new HashSet<>();
        List<W> stale =
                subjects.all(
                        clockWindow,
                        subject -> {
                            mine.add(subject);
                            return fresh(evaluatedOn.get(subject), now);
                        });
        for (W w : stale) {
            Subject subject = subjects.subject(w);
            Seen seen = evaluatedOn.get(subject);
            if (fresh(seen, subjects.now(w))) continue; // judged since the skip was asked
            evaluate(w, clockDriven, book);
            if (eventDriven.isEmpty()) continue;
            Object evidence = subjects.evidence(w);
            evaluatedOn.put(subject, new Seen(evidence, seen == null ? NEVER : seen.judgedAt()));
            if (!Objects.equals(seen == null ? null : seen.evidence(), evidence)) {
                subjects.widen(w, window).ifPresent(full -> evaluate(full, eventDriven, book));
            }
        }
        evaluatedOn.keySet().retainAll(mine);
        present.addAll(mine);
    }

    private static boolean fresh(Seen seen, long now) {
        return seen != null
                && seen.judgedAt() != NEVER
                && now >= seen.judgedAt()
                && now - seen.judgedAt() < FRESH_MS;
    }

    private void evaluate(W w, List<Rule<W>> which, AlertBook book) {
        boolean finished = subjects.finished(w);
        long now = subjects.now(w);
        Grace g = grace;
        boolean inGrace = now < g.until() && subjects.lastHeard(w) < g.start();
        List<AlertBook.Look> looks = new ArrayList<>(which.size());
        for (Rule<W> rule : which) {
            Check check = finished ? Check.clear() : rule.check(w);
            if (inGrace && rule.judgesSilence() && check.verdict() != Verdict.CLEAR)
                check = Check.hold();
            looks.add(new AlertBook.Look(rule.name(), rule.severity(), check));
        }
        book.apply(subjects.subject(w), Instant.ofEpochMilli(now), looks);
    }
}
