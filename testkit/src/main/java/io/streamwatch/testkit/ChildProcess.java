package io.streamwatch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the kit starts (the service, the Kafka broker, Prometheus, a Spark driver), its output
 * in a log file. STREAMWATCH_* variables of the caller never leak in. Its standard input stays an
 * open pipe only this JVM holds, so a child that watches it (the broker, {@link ExitWithParent})
 * exits when this JVM is gone, however it ends.
 */
public final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Path log;
    private final Process process;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** A command to start: {@code name} is how messages call it. */
    public static Builder command(String name, List<String> command) {
        return new Builder(name, command);
    }

    public static final class Builder {
        private final String name;
        private final List<String> command;
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path log;
        private boolean ownSession;

        private Builder(String name, List<String> command) {
            this.name = name;
            this.command = new ArrayList<>(command);
        }

        /** Where its standard output and error go (required). */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /**
         * Its own session ({@code setsid}, where there is one): a Ctrl-C in the terminal then
         * reaches only this JVM, which stops its children in its own order.
         */
        public Builder ownSession() {
            this.ownSession = true;
            return this;
        }

        public ChildProcess start() throws IOException {
            if (log == null) throw new IllegalStateException("no log file for " + name);
            Files.createDirectories(log.toAbsolutePath().getParent());
            List<String> cmd = new ArrayList<>(command);
            cmd.removeIf(String::isEmpty);
            if (ownSession) {
                for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
                    if (Files.isExecutable(Path.of(setsid))) {
                        cmd.add(0, setsid);
                        break;
                    }
                }
            }
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("STREAMWATCH_"));
            pb.environment().putAll(env);
            return new ChildProcess(name, pb.start(), log);
        }
    }

    /**
     * The first non-null value of {@code probe}, asked every {@code every}; fails with the end of
     * the log at once if the process exits while the probe still says nothing, and after {@code
     * timeout}. {@code what} completes "waiting for NAME ...", e.g. "to answer /readyz".
     */
    public <T> T awaitReady(Duration timeout, Duration every, String what, Supplier<T> probe) {
        return Await.result(
                timeout,
                every,
                () -> name + " " + what + "; its log " + log + " ends with:\n" + tail(20),
                () -> {
                    T v = probe.get();
                    if (v != null) return v;
                    if (!process.isAlive()) {
                        throw new AssertionError(
                                name
                                        + " exited with code "
                                        + process.exitValue()
                                        + " while waiting for it "
                                        + what
                                        + "; its log "
                                        + log
                                        + " ends with:\n"
                                        + tail(20));
                    }
                    return null;
                });
    }

    /**
     * Waits until the log matches {@code line}; returns its group 1 (or the whole match without
     * groups).
     */
    public String awaitLine(Pattern line, Duration timeout) {
        return awaitReady(
                timeout,
                Duration.ofMillis(100),
                "to print " + line,
                () -> {
                    Matcher m = line.matcher(output());
                    return m.find() ? m.group(m.groupCount() > 0 ? 1 : 0) : null;
                });
    }

    /** Everything it printed so far. */
    public String output() {
        return read(log);
    }

    /** The last {@code lines} lines it printed. */
    public String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * Where the test kit was loaded from (its jar or classes directory): put it on a child JVM's
     * class path to run one of the kit's own programs there.
     */
    public static String kitClasspath() {
        try {
            return Path.of(
                            ChildProcess.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file's text, "" while it does not exist. */
    public static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits for it: no shutdown hook, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGTERM (its shutdown hooks run), then SIGKILL if it has not exited within {@code grace}.
     * Idempotent.
     */
    public void stop(Duration grace) {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS))
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #stop} with 10 s of grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
