package io.streamwatch.service.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code promtool check metrics} (Debian's prometheus package; {@code ./run-tests.sh}
 * installs it) on an exposition, for tests.
 */
public final class Promtool {
    private Promtool() {}

    /** Fails the test with promtool's complaints unless it accepts {@code exposition}. */
    public static void assertAccepts(String exposition) throws Exception {
        Path binary = Path.of("/usr/bin/promtool");
        assertTrue(
                Files.isExecutable(binary),
                "promtool is not installed: apt-get install prometheus (./run-tests.sh does this)");
        Process p =
                new ProcessBuilder(binary.toString(), "check", "metrics")
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
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    }
}
