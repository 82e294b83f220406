package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ChildProcess;
import io.streamwatch.testkit.Loopback;
import io.streamwatch.testkit.ServiceProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container image built by deploy/image/build-image.sh, without a container engine: its
 * manifest and config are what deploy/ expects, its layer is intact, and the service in it runs —
 * unpacked into a directory and started there with chroot (as the image's user 10001, with /proc
 * and /dev mounted in a private mount namespace, as a container runtime would).
 */
class ImageIT {
    private static Path image() {
        Path p =
                AlertRulesIT.repo().resolve("monitor-service/target/streamwatch-service-image.tar");
        assertTrue(
                Files.isRegularFile(p),
                p
                        + " is missing: the monitor-service build makes it (deploy/image/build-image.sh)");
        return p;
    }

    private static void untar(Path tar, Path into) throws Exception {
        Files.createDirectories(into);
        Process p =
                new ProcessBuilder("tar", "xf", tar.toString(), "-C", into.toString())
                        .inheritIO()
                        .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tar xf " + tar);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    @Test
    void theImageIsWhatTheDeployRecipesExpectAndTheServiceRunsInIt() throws Exception {
        Path dir = Files.createTempDirectory("streamwatch-image");
        Path archive = dir.resolve("archive");
        untar(image(), archive);
        JsonNode manifest =
                ServiceProcess.JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
        assertEquals(DeployIT.IMAGE, manifest.get("RepoTags").get(0).asText());
        JsonNode config =
                ServiceProcess.JSON.readTree(
                        archive.resolve(manifest.get("Config").asText()).toFile());
        JsonNode c = config.get("config");
        assertEquals("10001:10001", c.get("User").asText(), "not root");
        assertTrue(c.get("ExposedPorts").has("9470/tcp"));
        assertTrue(c.get("Volumes").has("/var/lib/streamwatch"));
        Path layer = archive.resolve(manifest.get("Layers").get(0).asText());
        assertEquals(
                "sha256:" + sha256(layer),
                config.get("rootfs").get("diff_ids").get(0).asText(),
                "the layer is intact");

        Path root = dir.resolve("rootfs");
        untar(layer, root);
        assertTrue(Files.isExecutable(root.resolve("opt/java/bin/java")));

        assertEquals(
                "0",
                new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes())
                        .trim(),
                "running the image without a container engine uses chroot: run the tests as root (CI does)");
        int port = Loopback.freePort();
        List<String> env = new ArrayList<>();
        for (JsonNode e : c.get("Env")) env.add(e.asText());
        env.addAll(
                List.of(
                        "STREAMWATCH_SERVER_HOST=127.0.0.1",
                        "STREAMWATCH_SERVER_PORT=" + port,
                        "STREAMWATCH_INGEST_TOKENS=image-token",
                        "STREAMWATCH_API_TOKENS=image-token"));
        StringBuilder entrypoint = new StringBuilder();
        for (JsonNode a : c.get("Entrypoint")) entrypoint.append(' ').append(a.asText());
        String script =
                "set -e; mount -t proc proc "
                        + root.resolve("proc")
                        + "; mount --bind /dev "
                        + root.resolve("dev")
                        + "; exec chroot --userspec=10001:10001 "
                        + root
                        + " /usr/bin/env -i "
                        + String.join(" ", env)
                        + entrypoint
                        + " 2>&1";
        Files.createDirectories(root.resolve("usr/bin"));
        Files.copy(Path.of("/usr/bin/env"), root.resolve("usr/bin/env"));
        Path log = dir.resolve("service.log");
        Process service =
                new ProcessBuilder("unshare", "--mount", "--fork", "sh", "-c", script)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            Await.result(
                    Duration.ofSeconds(60),
                    "the service in the image to be ready (log " + log + ")",
                    () -> {
                        if (!service.isAlive())
                            throw new AssertionError(
                                    "the service in the image exited: " + ChildProcess.read(log));
                        try {
                            return http.send(
                                                            HttpRequest.newBuilder(
                                                                            URI.create(
                                                                                    base
                                                                                            + "/readyz"))
                                                                    .build(),
                                                            HttpResponse.BodyHandlers.discarding())
                                                    .statusCode()
                                            == 200
                                    ? true
                                    : null;
                        } catch (java.io.IOException e) {
                            return null;
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            long now = System.currentTimeMillis();
            String body =
                    "{\"schema\":1,\"source\":{\"app\":\"in a container\",\"appId\":\"app-1\",\"instance\":\"i\"},"
                            + "\"events\":[{\"type\":\"heartbeat\",\"time\":"
                            + now
                            + "}]}";
            HttpResponse<String> ingest =
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                                    .header("Authorization", "Bearer image-token")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(
                    200,
                    ingest.statusCode(),
                    "stored in SQLite inside the image: " + ingest.body());
            HttpResponse<String> apps =
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/v1/apps"))
                                    .header("Authorization", "Bearer image-token")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertTrue(apps.body().contains("in a container"), apps.body());
            assertTrue(
                    Files.exists(root.resolve("var/lib/streamwatch/streamwatch.db")),
                    "state is in the image's volume");
        } finally {
            service.descendants().forEach(ProcessHandle::destroyForcibly);
            service.destroyForcibly();
            service.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
