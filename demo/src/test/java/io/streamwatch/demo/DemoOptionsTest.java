package io.streamwatch.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoOptionsTest {
    @Test
    void noArgumentsRunUntilCtrlCOnTheFullTimeline() throws Exception {
        DemoOptions o = DemoOptions.parse();
        assertEquals(0, o.durationSeconds());
        assertEquals(Timeline.FULL, o.timeline());
    }

    @Test
    void durationAndQuickAreRead() throws Exception {
        assertEquals(new DemoOptions(150, false), DemoOptions.parse("--duration", "150"));
        assertEquals(new DemoOptions(75, true), DemoOptions.parse("--quick", "--duration=75"));
        assertEquals(Timeline.QUICK, DemoOptions.parse("--quick").timeline());
    }

    @Test
    void helpAsksForTheUsage() throws Exception {
        assertNull(DemoOptions.parse("--help"));
        assertNull(DemoOptions.parse("-h"));
    }

    @Test
    void badArgumentsAreRefusedWithAMessageNamingThem() {
        assertTrue(
                assertThrows(
                                DemoOptions.UsageException.class,
                                () -> DemoOptions.parse("--durration", "5"))
                        .getMessage()
                        .contains("--durration"));
        assertTrue(
                assertThrows(
                                DemoOptions.UsageException.class,
                                () -> DemoOptions.parse("--duration"))
                        .getMessage()
                        .contains("seconds"));
        for (String bad : new String[] {"0", "-5", "1.5", "soon", "86401"}) {
            assertTrue(
                    assertThrows(
                                    DemoOptions.UsageException.class,
                                    () -> DemoOptions.parse("--duration", bad))
                            .getMessage()
                            .contains(bad));
        }
    }

    @Test
    void theSurgeOutrunsTheAppAndTheQueryAndTheBaseRateDoesNot() {
        for (Timeline t : new Timeline[] {Timeline.FULL, Timeline.QUICK}) {
            assertTrue(
                    t.surgeRate() > StreamingApp.capacityPerSecond(),
                    t + " surges past the app's capacity");
            assertTrue(
                    t.baseRate() < StreamingApp.capacityPerSecond() / 3,
                    t + " leaves the app idle most of the time otherwise");
            assertEquals(
                    StreamingApp.PARTITIONS * StreamingApp.MAX_RATE_PER_PARTITION,
                    t.surgeRate(),
                    "a surge batch is one full batch");
            assertEquals(
                    t.surgeRate() * ClicksQuery.TRIGGER_MS / 1000,
                    ClicksQuery.MAX_OFFSETS_PER_TRIGGER,
                    "a surge micro-batch is one full micro-batch");
            assertEquals(t.baseRate(), t.rateAt(t.steadySeconds() - 0.1));
            assertEquals(t.surgeRate(), t.rateAt(t.steadySeconds()));
            assertEquals(t.baseRate(), t.rateAt(t.steadySeconds() + t.surgeSeconds()));
        }
    }
}
