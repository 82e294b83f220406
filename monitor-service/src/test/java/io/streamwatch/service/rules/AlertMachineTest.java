package io.streamwatch.service.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.notify.Severity;
import io.streamwatch.service.notify.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The life of one alert, step by step: verdicts in, statuses, stores and notices out. */
class AlertMachineTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final AlertMachine machine = new AlertMachine(Duration.ofSeconds(60));

    private static Check check(char v) {
        return switch (v) {
            case 'F' -> new Check(Verdict.FIRING, "slow", "it is slow");
            case 'P' -> new Check(Verdict.PENDING, "getting slow", null);
            case 'C' -> Check.clear();
            case 'H' -> Check.hold();
            default -> throw new IllegalArgumentException(String.valueOf(v));
        };
    }

    /**
     * verdicts one per second (F firing, P pending, C clear, H hold); the status after each; what
     * was stored at each step (s) or not (-); what receivers were told at each step (F firing, R
     * resolved, -).
     */
    static Stream<Arguments> lives() {
        return Stream.of(
                Arguments.of("nothing happens", "HCHC", "IIII", "----", "----"),
                Arguments.of(
                        "inactive, pending, firing, hold, resolved",
                        "PFHC",
                        "PFFI",
                        "ss-s",
                        "-F-R"),
                Arguments.of("straight to firing", "FC", "FI", "ss", "FR"),
                Arguments.of("pending that clears is never announced", "PPC", "PPI", "s-s", "---"),
                Arguments.of(
                        "hold keeps pending and firing as they are",
                        "PHHFHHH",
                        "PPPFFFF",
                        "s--s---",
                        "---F---"),
                Arguments.of(
                        "firing again is one page, not one per look",
                        "FFFF",
                        "FFFF",
                        "s---",
                        "F---"),
                Arguments.of(
                        "pending while firing does not step back", "FPPC", "FFFI", "s--s", "F--R"),
                Arguments.of("fires again after resolving", "FCF", "FIF", "sss", "FRF"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lives")
    void oneAlertsLife(
            String name, String verdicts, String statuses, String stores, String notices) {
        AlertState s = AlertState.inactive(Severity.WARNING);
        List<String> got = new ArrayList<>();
        StringBuilder status = new StringBuilder();
        StringBuilder stored = new StringBuilder();
        StringBuilder told = new StringBuilder();
        for (int i = 0; i < verdicts.length(); i++) {
            AlertMachine.Step step =
                    machine.next(s, Severity.WARNING, check(verdicts.charAt(i)), T0.plusSeconds(i));
            s = step.state();
            status.append(s.status().name().charAt(0));
            stored.append(step.store() ? 's' : '-');
            told.append(step.notice() == null ? '-' : step.notice().transition().name().charAt(0));
        }
        got.add(status.toString());
        got.add(stored.toString());
        got.add(told.toString());
        assertEquals(List.of(statuses, stores, notices), got, name);
    }

    @Test
    void firingStartsWhenItFiresAndResolvedCarriesTheStartAndTheWordsOfTheFiringAlert() {
        AlertState pending =
                machine.next(
                                AlertState.inactive(Severity.CRITICAL),
                                Severity.CRITICAL,
                                check('P'),
                                T0)
                        .state();
        assertEquals(T0, pending.since());
        AlertMachine.Step fired =
                machine.next(pending, Severity.CRITICAL, check('F'), T0.plusSeconds(5));
        assertEquals(T0.plusSeconds(5), fired.state().startsAt());
        assertEquals(T0, fired.state().since(), "pending since stays");
        assertEquals(T0.plusSeconds(5).toEpochMilli(), fired.state().lastSentMs());
        assertNull(fired.notice().endsAt());
        AlertState firing =
                machine.next(
                                fired.state(),
                                Severity.CRITICAL,
                                new Check(Verdict.FIRING, "slower", "it is slower"),
                                T0.plusSeconds(6))
                        .state();
        assertEquals("slower", firing.summary(), "the numbers stay current while firing");
        AlertMachine.Step resolved =
                machine.next(firing, Severity.CRITICAL, Check.clear(), T0.plusSeconds(9));
        assertEquals(Transition.RESOLVED, resolved.notice().transition());
        assertEquals(T0.plusSeconds(5), resolved.notice().alert().startsAt());
        assertEquals("slower", resolved.notice().alert().summary());
        assertEquals(T0.plusSeconds(9), resolved.notice().endsAt());
        assertEquals(AlertStatus.INACTIVE, resolved.state().status());
        assertNull(resolved.state().summary());
    }

    static Stream<Arguments> repeats() {
        return Stream.of(
                Arguments.of("not due", 59_999L, false),
                Arguments.of("due exactly", 60_000L, true),
                Arguments.of("overdue", 125_000L, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("repeats")
    void aFiringAlertIsRepeatedOnceItsResendIntervalPassed(
            String name, long afterMs, boolean repeated) {
        AlertState firing =
                machine.next(
                                AlertState.inactive(Severity.WARNING),
                                Severity.WARNING,
                                check('F'),
                                T0)
                        .state();
        AlertMachine.Step step = machine.repeat(firing, T0.plusMillis(afterMs));
        assertEquals(repeated, step.notice() != null);
        assertEquals(repeated, step.store());
        if (repeated) {
            assertEquals(Transition.REPEAT, step.notice().transition());
            assertEquals(T0.plusMillis(afterMs).toEpochMilli(), step.state().lastSentMs());
            assertEquals(T0, step.state().startsAt());
            assertFalse(
                    machine.repeat(step.state(), T0.plusMillis(afterMs + 1)).store(),
                    "the next repeat is a full interval later");
        }
    }

    @Test
    void onlyFiringAlertsAreRepeated() {
        AlertState pending =
                machine.next(
                                AlertState.inactive(Severity.WARNING),
                                Severity.WARNING,
                                check('P'),
                                T0)
                        .state();
        assertEquals(
                AlertMachine.Step.keep(pending), machine.repeat(pending, T0.plusSeconds(3600)));
        AlertState inactive = AlertState.inactive(Severity.WARNING);
        assertEquals(
                AlertMachine.Step.keep(inactive), machine.repeat(inactive, T0.plusSeconds(3600)));
    }

    @Test
    void aFiringAlertRestoredFromStorageIsNotSentAgainButItsRepeatAndResolveAre() {
        AlertState before =
                machine.next(
                                AlertState.inactive(Severity.CRITICAL),
                                Severity.CRITICAL,
                                check('F'),
                                T0)
                        .state();
        AlertPersistence.PersistedAlert stored = StoredAlerts.persisted(before);
        assertEquals("firing", stored.status());
        assertEquals("critical", stored.severity());
        AlertState restored = StoredAlerts.state(stored);
        assertEquals(before, restored);

        AlertMachine.Step again =
                machine.next(restored, Severity.CRITICAL, check('F'), T0.plusSeconds(30));
        assertNull(again.notice(), "still firing: no second page");
        assertFalse(again.store());
        assertNull(
                machine.repeat(again.state(), T0.plusSeconds(59)).notice(),
                "the resend interval counts from the last send before the restart");
        assertEquals(
                Transition.REPEAT,
                machine.repeat(again.state(), T0.plusSeconds(60)).notice().transition());
        AlertMachine.Step resolved =
                machine.next(again.state(), Severity.CRITICAL, check('C'), T0.plusSeconds(90));
        assertEquals(Transition.RESOLVED, resolved.notice().transition());
        assertEquals(T0, resolved.notice().alert().startsAt());
        assertTrue(resolved.store());
    }

    @Test
    void aPendingAlertRestoredFromStorageKeepsItsStart() {
        AlertState pending =
                machine.next(
                                AlertState.inactive(Severity.WARNING),
                                Severity.WARNING,
                                check('P'),
                                T0)
                        .state();
        AlertState restored = StoredAlerts.state(StoredAlerts.persisted(pending));
        assertEquals(AlertStatus.PENDING, restored.status());
        assertEquals(T0, restored.since());
        assertEquals(
                T0.plusSeconds(7),
                machine.next(restored, Severity.WARNING, check('F'), T0.plusSeconds(7))
                        .state()
                        .startsAt());
    }

    @Test
    void forgettingASubjectResolvesWhatFiresAndEndsWhatIsPending() {
        AlertState firing =
                machine.next(
                                AlertState.inactive(Severity.WARNING),
                                Severity.WARNING,
                                check('F'),
                                T0)
                        .state();
        AlertMachine.Step gone = machine.forget(firing, T0.plusSeconds(5));
        assertEquals(Transition.RESOLVED, gone.notice().transition());
        assertEquals(T0.plusSeconds(5), gone.notice().endsAt());
        assertTrue(gone.store());
        AlertState pending =
                machine.next(
                                AlertState.inactive(Severity.WARNING),
                                Severity.WARNING,
                                check('P'),
                                T0)
                        .state();
        AlertMachine.Step ended = machine.forget(pending, T0.plusSeconds(5));
        assertNull(ended.notice());
        assertTrue(ended.store(), "its stored copy is deleted");
        assertEquals(
                AlertMachine.Step.keep(AlertState.inactive(Severity.WARNING)),
                machine.forget(AlertState.inactive(Severity.WARNING), T0));
    }

    @Test
    void statusesAndSeveritiesAreWrittenLowerCase() {
        assertEquals(
                List.of("inactive", "pending", "firing", "resolved"),
                Arrays.stream(AlertStatus.values()).map(AlertStatus::label).toList());
        assertEquals(
                List.of("warning", "critical"),
                Arrays.stream(Severity.values()).map(Severity::label).toList());
        assertEquals(Severity.CRITICAL, Severity.of("critical"));
        assertEquals(AlertStatus.FIRING, AlertStatus.of("firing"));
    }
}
