package io.streamwatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real service jar with {@code server.tls}, in its own JVM on a loopback port it picks itself,
 * spoken to over HTTPS by a client that trusts only the given certificate. (The plain-HTTP
 * counterpart is {@link ServiceProcess}.)
 */
final class TlsServiceProcess implements AutoCloseable {
    private static final Pattern TLS_ON = Pattern.compile("TLS is on: HTTPS only \\(no plain HTTP\\) on [^:]+:(\\d+)");

    final String token;
    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient https;

    private TlsServiceProcess(String token, Process process, Path log, int port, HttpClient https) {
        this.token = token;
        this.process = process;
        this.log = log;
        this.port = port;
        this.https = https;
    }

    /** Writes {@code dir/streamwatch.yaml} with server.tls from {@code cert} and starts the jar. */
    static Launch launch(Path dir, String token, Path certFile, Path keyFile) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("streamwatch.yaml");
        Files.writeString(config, "server:\n"
                + "  host: 127.0.0.1\n"
                + "  port: 0\n"
                + "  tls: { certFile: " + certFile + ", keyFile: " + keyFile + " }\n"
                + "storage: { dir: " + dir.resolve("data") + " }\n"
                + "ingest: { tokens: [" + token + "] }\n");
        Path log = dir.resolve("service-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", ServiceProcess.jar().toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("STREAMWATCH_"));
        return new Launch(pb.start(), log);
    }

    /** A started jar, before anyone knows whether it serves. */
    record Launch(Process process, Path log) {
        String output() {
            return ServiceProcess.read(log);
        }
    }

    static TlsServiceProcess start(Path dir, String token, SelfSignedCert cert) throws Exception {
        Launch l = launch(dir, token, cert.certFile(), cert.keyFile());
        int bound = Poll.until(Duration.ofSeconds(60), "the service to log that TLS is on in " + l.log(), () -> {
            if (!l.process().isAlive()) {
                throw new IllegalStateException("service exited with " + l.process().exitValue() + ": " + l.output());
            }
            Matcher m = TLS_ON.matcher(l.output());
            return m.find() ? Integer.parseInt(m.group(1)) : null;
        });
        HttpClient https = HttpClient.newBuilder().sslContext(cert.trustingContext())
                .connectTimeout(Duration.ofSeconds(2)).build();
        TlsServiceProcess s = new TlsServiceProcess(token, l.process(), l.log(), bound, https);
        Poll.until(Duration.ofSeconds(30), "/readyz over HTTPS", () -> s.get("/readyz").statusCode() == 200 ? true : null);
        return s;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    HttpResponse<String> get(String path) {
        try {
            return https.send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization", "Bearer " + token)
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
            return ServiceProcess.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Completed batches of {@code app}, newest first, read over HTTPS. */
    List<JsonNode> batches(String app) {
        List<JsonNode> out = new java.util.ArrayList<>();
        json("/api/v1/apps/" + ServiceProcess.encode(app) + "/batches?limit=1000").get("batches").forEach(out::add);
        return out;
    }

    String log() {
        return ServiceProcess.read(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
