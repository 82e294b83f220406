package io.streamwatch.e2e;

import io.streamwatch.testkit.ChildProcess;
import io.streamwatch.testkit.Loopback;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** A {@link StreamingDriver} in its own JVM, so a test can let it end cleanly or kill -9 it. */
final class DriverProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("STARTED");

    final Process process;
    private final ChildProcess child;

    private DriverProcess(ChildProcess child) {
        this.child = child;
        this.process = child.process();
    }

    static DriverProcess start(Path dir, String app, String url, String token, int seconds)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Loopback.java(), "-Xmx768m"));
        cmd.addAll(
                Arrays.asList(
                        System.getProperty("streamwatch.spark.jvm.args", "").trim().split("\\s+")));
        cmd.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        StreamingDriver.class.getName(),
                        app,
                        url,
                        token,
                        String.valueOf(seconds)));
        ChildProcess child =
                ChildProcess.command("driver " + app, cmd)
                        .log(dir.resolve("driver-" + app.replaceAll("[^A-Za-z0-9]", "_") + ".log"))
                        .env("SPARK_LOCAL_IP", "127.0.0.1")
                        .start();
        child.awaitLine(STARTED, Duration.ofSeconds(90));
        return new DriverProcess(child);
    }

    /** SIGKILL: the driver gets no chance to say goodbye. */
    void kill() throws InterruptedException {
        child.kill();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
