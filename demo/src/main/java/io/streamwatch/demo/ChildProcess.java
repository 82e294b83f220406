package io.streamwatch.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM the demo starts (the service, the Kafka broker), its output in a log file. Its standard input
 * stays an open pipe that only this JVM holds: the child watches it and exits when it closes, so a
 * child never outlives the demo, however the demo ends.
 */
final class ChildProcess implements AutoCloseable {
    final String name;
    final Path log;
    private final Process process;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts {@code command} with its output in {@code log}; STREAMWATCH_* variables of the caller do not
     * leak in. Where {@code setsid} exists the child gets its own session, so a Ctrl-C in the terminal
     * reaches only the demo, which then stops the children in order (Spark before the broker it reads).
     */
    static ChildProcess start(String name, List<String> command, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        List<String> cmd = new java.util.ArrayList<>(command);
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                cmd.add(0, setsid);
                break;
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("STREAMWATCH_"));
        return new ChildProcess(name, pb.start(), log);
    }

    /** Waits until the log matches {@code ready}; returns group 1. Fails if the child exits or time runs out. */
    String awaitLine(Pattern ready, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = ready.matcher(output());
            if (m.find()) return m.group(1);
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + " before it was ready; its log "
                        + log + " ends with:\n" + tail(20));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s; its log " + log
                + " ends with:\n" + tail(20));
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM (the child's shutdown hooks run), then SIGKILL if it has not exited in {@code grace}. Idempotent. */
    void stop(Duration grace) {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }
}
