package io.streamwatch.service.rules;

import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.BatchRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch sequences as Spark's scheduler would produce them: batch i is due at i × interval, starts
 * when it is due and the previous batch has finished, and runs for the given processing time. So
 * scheduling and total delays come out of the queue, not out of the test author's head.
 */
final class Sim {
    static final long T0 = 1_790_000_000_000L;

    private Sim() {}

    static List<BatchRecord> run(long intervalMs, long... processing) {
        List<BatchRecord> out = new ArrayList<>();
        long prevEnd = 0;
        for (int i = 0; i < processing.length; i++) {
            long due = T0 + i * intervalMs;
            long start = Math.max(due, prevEnd);
            long end = start + processing[i];
            out.add(
                    new BatchRecord(
                            "app-1",
                            due,
                            due,
                            start,
                            end,
                            start - due,
                            processing[i],
                            end - due,
                            10,
                            false,
                            null,
                            false));
            prevEnd = end;
        }
        return out;
    }

    static long[] repeat(long value, int times) {
        long[] a = new long[times];
        java.util.Arrays.fill(a, value);
        return a;
    }

    static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) n += p.length;
        long[] out = new long[n];
        int i = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    static long[] alternate(long a, long b, int pairs) {
        long[] out = new long[pairs * 2];
        for (int i = 0; i < pairs; i++) {
            out[2 * i] = a;
            out[2 * i + 1] = b;
        }
        return out;
    }

    /**
     * The window the rules see after the first {@code n} batches completed (clock at the last end).
     */
    static AppWindow after(List<BatchRecord> batches, int n, long intervalMs) {
        List<BatchRecord> recent = batches.subList(0, n);
        long now = recent.isEmpty() ? T0 : recent.get(n - 1).processingEndTime();
        return new AppWindow(
                "orders", "app-1", intervalMs, recent, now, now, false, now, null, 0, null);
    }

    /**
     * Replays the batches one by one through the engine's state machine: indexes where it fired and
     * resolved.
     */
    static Timeline replay(Rule rule, List<BatchRecord> batches, long intervalMs) {
        Timeline t = new Timeline();
        boolean firing = false;
        for (int n = 1; n <= batches.size(); n++) {
            Verdict v = rule.check(after(batches, n, intervalMs)).verdict();
            if (v == Verdict.FIRING && !firing) {
                firing = true;
                t.fired.add(n - 1);
            } else if (v == Verdict.CLEAR && firing) {
                firing = false;
                t.resolved.add(n - 1);
            }
        }
        return t;
    }

    static final class Timeline {
        final List<Integer> fired = new ArrayList<>();
        final List<Integer> resolved = new ArrayList<>();

        @Override
        public String toString() {
            return "fired at " + fired + ", resolved at " + resolved;
        }
    }
}
