package io.streamwatch.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code promtool} from Debian's prometheus package. */
final class Promtool {
    private Promtool() {}

    static Path binary() {
        for (String p : new String[] {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
            if (Files.isExecutable(Path.of(p))) return Path.of(p);
        }
        throw new IllegalStateException(
                "promtool is not installed: apt-get install prometheus (./run-tests.sh does this)");
    }

    /**
     * {@code promtool check metrics} on the given exposition text; returns exit code and output.
     */
    static Result checkMetrics(String text) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(binary().toString(), "check", "metrics")
                        .redirectErrorStream(true)
                        .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool did not finish");
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int exitCode, String output) {}
}
