package io.streamwatch.testkit;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;

/**
 * Debian's Prometheus or Alertmanager ({@code apt-get install prometheus prometheus-alertmanager})
 * on a free loopback port, with a configuration the caller writes; started returns once {@code
 * /-/ready} answers.
 */
public final class PrometheusProcess implements AutoCloseable {
    private final ChildProcess process;
    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusProcess(ChildProcess process, String base) {
        this.process = process;
        this.base = base;
    }

    /** The executable, or an IllegalStateException saying which package to install. */
    public static Path binary(String path, String debianPackage) {
        Path p = Path.of(path);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(
                    path
                            + " is missing: apt-get install -y --no-install-recommends "
                            + debianPackage
                            + " (./run-tests.sh and bench/run.sh install it when they run as root)");
        }
        return p;
    }

    /** Prometheus with {@code config}, its TSDB in {@code dir/tsdb}. */
    public static PrometheusProcess prometheus(Path dir, Path config) throws IOException {
        int port = Loopback.freePort();
        return start(
                dir,
                "prometheus",
                port,
                List.of(
                        binary("/usr/bin/prometheus", "prometheus").toString(),
                        "--config.file=" + config,
                        "--web.listen-address=" + Loopback.HOST + ":" + port,
                        "--storage.tsdb.path=" + dir.resolve("tsdb")));
    }

    /** Alertmanager with {@code config}, no cluster gossip, its data in {@code dir/am-data}. */
    public static PrometheusProcess alertmanager(Path dir, Path config) throws IOException {
        int port = Loopback.freePort();
        return start(
                dir,
                "alertmanager",
                port,
                List.of(
                        binary("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager")
                                .toString(),
                        "--config.file=" + config,
                        "--web.listen-address=" + Loopback.HOST + ":" + port,
                        "--cluster.listen-address=",
                        "--storage.path=" + dir.resolve("am-data")));
    }

    private static PrometheusProcess start(Path dir, String name, int port, List<String> cmd)
            throws IOException {
        ChildProcess p = ChildProcess.command(name, cmd).log(dir.resolve(name + ".log")).start();
        PrometheusProcess started =
                new PrometheusProcess(p, "http://" + Loopback.HOST + ":" + port);
        try {
            p.awaitReady(
                    Duration.ofSeconds(60),
                    Duration.ofMillis(100),
                    "to answer /-/ready",
                    () -> started.status("/-/ready") == 200 ? true : null);
        } catch (RuntimeException | Error e) {
            p.stop(Duration.ofSeconds(5));
            throw e;
        }
        return started;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String base() {
        return base;
    }

    private int status(String path) {
        try {
            return Http.send(
                            http,
                            HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    /** {@code GET /api/v1/<path>?<param>=<value>}: the whole JSON answer, error or not. */
    public JsonNode api(String path, String param, String value) {
        return Http.json(
                Http.send(
                                http,
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        base
                                                                + "/api/v1/"
                                                                + path
                                                                + "?"
                                                                + param
                                                                + "="
                                                                + URLEncoder.encode(
                                                                        value,
                                                                        StandardCharsets.UTF_8)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
    }

    /** Prometheus {@code GET /api/v1/query?query=…}. */
    public JsonNode query(String promql) {
        return api("query", "query", promql);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
