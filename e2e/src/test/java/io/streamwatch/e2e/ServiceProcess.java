package io.streamwatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real service: {@code java -jar monitor-service/target/streamwatch-service.jar --config FILE}
 * in its own JVM, as an operator runs it, on a loopback port it picks itself.
 */
final class ServiceProcess implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (https?)://[^:]+:(\\d+)");

    final String token;
    final Path dir;
    final Path log;
    private final Process process;
    private final HttpClient http;
    private final String scheme;
    private final int port;

    private ServiceProcess(Path dir, String token, Process process, Path log, String scheme, int port, HttpClient http) {
        this.dir = dir;
        this.token = token;
        this.process = process;
        this.log = log;
        this.scheme = scheme;
        this.port = port;
        this.http = http;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("streamwatch.service.jar", "../monitor-service/target/streamwatch-service.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("service jar " + jar.toAbsolutePath() + " is missing: build it first "
                    + "(mvn -pl monitor-service package, or ./run-tests.sh builds everything)");
        }
        return jar;
    }

    /** Starts the service with the given extra YAML (appended to a loopback, token-protected base). */
    static ServiceProcess start(Path dir, String token, String extraYaml) throws IOException {
        return startOn(dir, token, 0, extraYaml);
    }

    /**
     * Starts the service on {@code port} (0: any free port) with its state in {@code dir/data}: a
     * second start with the same dir and port is the same service restarted, at the URL listeners have.
     */
    static ServiceProcess startOn(Path dir, String token, int port, String extraYaml) throws IOException {
        return start(dir, token, "server: { host: 127.0.0.1, port: " + port + " }\n" + extraYaml,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
    }

    /** Starts the service with {@code server.tls} from {@code cert}, spoken to by a client trusting only that certificate. */
    static ServiceProcess startTls(Path dir, String token, SelfSignedCert cert) throws Exception {
        return start(dir, token, tlsServer(cert.certFile(), cert.keyFile()),
                HttpClient.newBuilder().sslContext(cert.trustingContext()).connectTimeout(Duration.ofSeconds(2)).build());
    }

    static String tlsServer(Path certFile, Path keyFile) {
        return "server:\n  host: 127.0.0.1\n  port: 0\n  tls: { certFile: " + certFile + ", keyFile: " + keyFile + " }\n";
    }

    private static ServiceProcess start(Path dir, String token, String serverAndExtraYaml, HttpClient client) throws IOException {
        Launch l = launch(dir, token, serverAndExtraYaml);
        Matcher listening = Poll.until(Duration.ofSeconds(60), "the service to log its address in " + l.log(), () -> {
            if (!l.process().isAlive()) throw new AssertionError("service exited with " + l.process().exitValue() + ": " + l.output());
            Matcher m = LISTENING.matcher(l.output());
            return m.find() ? m : null;
        });
        ServiceProcess s = new ServiceProcess(dir, token, l.process(), l.log(), listening.group(1),
                Integer.parseInt(listening.group(2)), client);
        Poll.until(Duration.ofSeconds(30), "/readyz", () -> s.get("/readyz").statusCode() == 200 ? true : null);
        return s;
    }

    /** A started jar, before anyone knows whether it serves (tests of startup failures look at this). */
    record Launch(Process process, Path log) {
        String output() {
            return read(log);
        }
    }

    /** Writes {@code dir/streamwatch.yaml} (loopback, the token, state in {@code dir/data}, then the given YAML) and starts the jar. */
    static Launch launch(Path dir, String token, String serverAndExtraYaml) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("streamwatch.yaml");
        Files.writeString(config, serverAndExtraYaml
                + "storage: { dir: " + dir.resolve("data") + " }\n"
                + "ingest: { tokens: [" + token + "] }\n");
        Path log = dir.resolve("service-" + System.nanoTime() + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar().toString(), "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("STREAMWATCH_"));
        return new Launch(pb.start(), log);
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

    /** kill -9: no shutdown hook, no flush, whatever was in memory is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String url() {
        return scheme + "://127.0.0.1:" + port;
    }

    HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
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

    static String encode(String app) {
        return URLEncoder.encode(app, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode batches(String app, int limit) {
        return json("/api/v1/apps/" + encode(app) + "/batches?limit=" + limit).get("batches");
    }

    String metrics() {
        return get("/metrics").body();
    }

    String log() {
        return read(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
