package io.streamwatch.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A {@link StreamingDriver} in its own JVM, so a test can let it end cleanly or kill -9 it. */
final class DriverProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private DriverProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static DriverProcess start(Path dir, String app, String url, String token, int seconds) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("driver-" + app.replaceAll("[^A-Za-z0-9]", "_") + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        cmd.addAll(Arrays.asList(System.getProperty("streamwatch.spark.jvm.args", "").trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamingDriver.class.getName(), app, url, token,
                String.valueOf(seconds)));
        cmd.removeIf(String::isEmpty);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        DriverProcess d = new DriverProcess(pb.start(), log);
        Poll.until(Duration.ofSeconds(90), "driver " + app + " to start streaming (log " + log + ")", () -> {
            String out = ServiceProcess.read(log);
            if (!d.process.isAlive() && !out.contains("STARTED")) throw new AssertionError("driver exited: " + out);
            return out.contains("STARTED") ? true : null;
        });
        return d;
    }

    /** SIGKILL: the driver gets no chance to say goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
