package io.streamwatch.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code promtool} from Debian's prometheus package ({@code ./run-tests.sh} installs it).
 */
public final class Promtool {
    private Promtool() {}

    /** The binary; fails with what to install when it is missing. */
    public static Path binary() {
        for (String p : new String[] {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
            if (Files.isExecutable(Path.of(p))) return Path.of(p);
        }
        throw new IllegalStateException(
                "promtool is not installed: apt-get install prometheus (./run-tests.sh does this)");
    }

    /** {@code promtool check metrics} on an exposition: its exit code and output. */
    public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(binary().toString(), "check", "metrics")
                        .redirectErrorStream(true)
                        .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool did not finish within 60 s");
        }
        return new Result(p.exitValue(), out);
    }

    /** Throws with promtool's complaints unless it accepts {@code exposition}. */
    public static void assertAccepts(String exposition) throws IOException, InterruptedException {
        Result r = checkMetrics(exposition);
        if (r.exitCode() != 0) {
            throw new AssertionError(
                    "promtool check metrics failed (exit " + r.exitCode() + "):\n" + r.output());
        }
    }

    public record Result(int exitCode, String output) {}
}
