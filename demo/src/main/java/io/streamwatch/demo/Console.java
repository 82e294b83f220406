package io.streamwatch.demo;

import java.io.PrintStream;

/**
 * The demo's one output: lines stamped with the seconds since the demo started, never interleaved.
 */
final class Console {
    private final PrintStream out;
    private final long startNanos;

    Console(PrintStream out, long startNanos) {
        this.out = out;
        this.startNanos = startNanos;
    }

    /** Seconds since the demo started. */
    long elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1_000_000_000L;
    }

    /** A line stamped {@code [ 41s]}. */
    synchronized void event(String text) {
        out.println(String.format("[%3ds] %s", elapsedSeconds(), text));
        out.flush();
    }

    /** A line as is. */
    synchronized void plain(String text) {
        out.println(text);
        out.flush();
    }
}
