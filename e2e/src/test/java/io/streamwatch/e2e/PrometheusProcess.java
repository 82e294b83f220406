package io.streamwatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.TimeUnit;

/** The real Prometheus from Debian's package, on a loopback port, with a config the test writes. */
final class PrometheusProcess implements AutoCloseable {
    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusProcess(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    static Path binary() {
        Path p = Path.of("/usr/bin/prometheus");
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("prometheus is not installed: apt-get install prometheus (./run-tests.sh does this)");
        }
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static PrometheusProcess start(Path dir, Path config) throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary().toString(), "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.path=" + dir.resolve("tsdb"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess prometheus = new PrometheusProcess(p, "http://127.0.0.1:" + port);
        Poll.until(Duration.ofSeconds(60), "Prometheus to be ready (log " + log + ")", () -> {
            if (!p.isAlive()) throw new AssertionError("prometheus exited: " + ServiceProcess.read(log));
            return prometheus.status("/-/ready") == 200 ? true : null;
        });
        return prometheus;
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

    /** {@code GET /api/v1/<path>?<param>=<value>}: the whole JSON answer, error or not. */
    JsonNode api(String path, String param, String value) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/" + path + "?" + param + "="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            return ServiceProcess.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode query(String promql) {
        return api("query", "query", promql);
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
