package io.streamwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real service jar in its own JVM ({@code java -Xmx… -jar streamwatch-service.jar --config FILE}), on loopback,
 * with its state in a fresh directory.
 */
final class ServiceProcess implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    final String token;
    final Path dir;
    final Path log;
    final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceProcess(Path dir, String token, Process process, Path log, int port) {
        this.dir = dir;
        this.token = token;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("streamwatch.service.jar", "monitor-service/target/streamwatch-service.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("service jar " + jar.toAbsolutePath() + " is missing: bench/run.sh builds it "
                    + "(or mvn -pl monitor-service -am -DskipTests package)");
        }
        return jar;
    }

    /**
     * Starts the service on {@code port} (0: any free port) with heap {@code xmx} (e.g. "1g") and {@code extraYaml}
     * appended to a loopback, token-protected base configuration; returns once /readyz answers 200.
     */
    static ServiceProcess start(Path dir, String token, int port, String xmx, String extraYaml) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("streamwatch.yaml");
        Files.writeString(config, "server: { host: 127.0.0.1, port: " + port + " }\n"
                + "storage: { dir: " + dir.resolve("data") + " }\n"
                + "ingest: { tokens: [" + token + "] }\n" + extraYaml);
        Path log = dir.resolve("service.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx, "-jar", jar().toAbsolutePath().toString(), "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("STREAMWATCH_"));
        Process p = pb.start();
        try {
            int bound = Poll.until(Duration.ofSeconds(60), "the service to log its port in " + log, () -> {
                if (!p.isAlive()) throw new IllegalStateException("service exited with " + p.exitValue() + ": " + read(log));
                Matcher m = LISTENING.matcher(read(log));
                return m.find() ? Integer.parseInt(m.group(1)) : null;
            });
            ServiceProcess s = new ServiceProcess(dir, token, p, log, bound);
            Poll.until(Duration.ofSeconds(30), "/readyz", () -> s.get("/readyz").statusCode() == 200 ? true : null);
            return s;
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode json(String path) {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String metrics() {
        return get("/metrics").body();
    }

    /** The value of the first sample of {@code name} whose label text contains {@code labelFilter}; NaN when absent. */
    static double sample(String metricsText, String name, String labelFilter) {
        for (String line : metricsText.split("\n")) {
            if (line.startsWith(name) && (line.length() > name.length())
                    && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && (labelFilter == null || line.contains(labelFilter))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    String log() {
        return read(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
