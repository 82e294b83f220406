package io.streamwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;

/** Debian's Prometheus or Alertmanager binary on a loopback port, with a configuration the benchmark writes. */
final class ExternalProcess implements AutoCloseable {
    final String base;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ExternalProcess(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path binary(String path, String pkg) {
        Path p = Path.of(path);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(path + " is missing: apt-get install -y --no-install-recommends " + pkg
                    + " (bench/run.sh installs it when it runs as root)");
        }
        return p;
    }

    static ExternalProcess prometheus(Path dir, Path config) throws IOException {
        int port = freePort();
        return start(dir, "prometheus", port, "/-/ready", List.of(binary("/usr/bin/prometheus", "prometheus").toString(),
                "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.path=" + dir.resolve("tsdb")));
    }

    static ExternalProcess alertmanager(Path dir, Path config) throws IOException {
        int port = freePort();
        return start(dir, "alertmanager", port, "/-/ready", List.of(
                binary("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager").toString(),
                "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=",
                "--storage.path=" + dir.resolve("am-data")));
    }

    private static ExternalProcess start(Path dir, String name, int port, String ready, List<String> cmd) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ExternalProcess e = new ExternalProcess(p, "http://127.0.0.1:" + port);
        try {
            Poll.until(Duration.ofSeconds(60), 100, name + " to be ready (log " + log + ")", () -> {
                if (!p.isAlive()) throw new IllegalStateException(name + " exited: " + ServiceProcess.read(log));
                return e.status(ready) == 200 ? true : null;
            });
        } catch (RuntimeException ex) {
            p.destroyForcibly();
            throw ex;
        }
        return e;
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Prometheus {@code GET /api/v1/query?query=…}. */
    JsonNode query(String promql) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            return ServiceProcess.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
