package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.streamwatch.testkit.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/ against the service it deploys: both recipes parse, use the image, port, config path,
 * token file, storage directory and probes the service really has, and their service configurations
 * pass the service's own --check-config. Prometheus and Alertmanager configs pass promtool and
 * amtool; the Kubernetes PrometheusRule is alert-rules/, verbatim.
 */
class DeployIT {
    static final String IMAGE = "streamwatch/streamwatch-service:0.1.0";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Path deploy(String path) {
        return AlertRulesIT.repo().resolve("deploy").resolve(path);
    }

    private static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser p = new YAMLFactory().createParser(file.toFile())) {
            var it = YAML.readValues(p, JsonNode.class);
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode()) docs.add(d);
            }
        }
        return docs;
    }

    /** Runs the real service jar's --check-config on a configuration text; returns its output. */
    static String checkConfig(String yaml, Path tokenFile) throws Exception {
        Path config = Files.createTempFile("streamwatch-check", ".yaml");
        Files.writeString(config, yaml);
        ProcessBuilder pb =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                ServiceProcess.jar().toString(),
                                "--check-config",
                                "--config",
                                config.toString())
                        .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("STREAMWATCH_"));
        pb.environment().put("STREAMWATCH_INGEST_TOKEN_FILE", tokenFile.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(
                0, p.exitValue(), "--check-config rejected the shipped configuration:\n" + out);
        return out;
    }

    private static Path tokenFile() throws Exception {
        return Files.writeString(Files.createTempFile("token", ""), "a-token\n");
    }

    @Test
    void composeRunsTheServiceTheWayItIsBuilt() throws Exception {
        JsonNode compose = YAML.readTree(deploy("docker-compose.yml").toFile());
        JsonNode services = compose.get("services");
        for (String s : List.of("streamwatch", "prometheus", "alertmanager", "grafana"))
            assertTrue(services.has(s), "compose has " + s);
        JsonNode sw = services.get("streamwatch");
        assertEquals(IMAGE, sw.get("image").asText());
        assertEquals(
                List.of("--config", "/etc/streamwatch/streamwatch.yaml"),
                YAML.convertValue(sw.get("command"), List.class));
        JsonNode config = YAML.readTree(deploy("streamwatch/streamwatch.yaml").toFile());
        int port = config.path("server").path("port").asInt();
        assertEquals(9470, port);
        assertTrue(
                sw.get("ports").toString().contains("\"" + port + ":" + port + "\""),
                sw.get("ports").toString());

        Map<String, String> mounts = new HashMap<>();
        for (JsonNode v : sw.get("volumes")) {
            String[] parts = v.asText().split(":");
            mounts.put(parts[1], parts[0]);
        }
        assertEquals(
                "./streamwatch/streamwatch.yaml", mounts.get("/etc/streamwatch/streamwatch.yaml"));
        assertTrue(
                mounts.containsKey(config.path("ingest").path("tokenFile").asText()),
                "the token file the config names is mounted");
        assertTrue(
                mounts.containsKey(config.path("storage").path("dir").asText()),
                "storage.dir is a volume");
        assertTrue(sw.path("healthcheck").toString().contains("/readyz"));

        // Every file the bundle mounts from the repository exists (the token file is the
        // operator's).
        for (JsonNode service : services) {
            for (JsonNode v : service.path("volumes")) {
                String host = v.asText().split(":")[0];
                if (!host.startsWith(".") || host.endsWith("ingest-token")) continue;
                assertTrue(
                        Files.exists(deploy(host).normalize()),
                        "compose mounts " + host + ", which is missing");
            }
        }
        assertTrue(
                services.get("prometheus")
                        .get("volumes")
                        .toString()
                        .contains("../alert-rules:/etc/prometheus/rules"));
        JsonNode dashboards =
                YAML.readTree(deploy("grafana/provisioning/dashboards/streamwatch.yml").toFile());
        String dashboardPath =
                dashboards.get("providers").get(0).get("options").get("path").asText();
        assertTrue(
                services.get("grafana")
                        .get("volumes")
                        .toString()
                        .contains("../dashboards:" + dashboardPath),
                "Grafana provisions the dashboards from where compose mounts them");
        JsonNode datasource =
                YAML.readTree(deploy("grafana/provisioning/datasources/prometheus.yml").toFile());
        assertEquals(
                "http://prometheus:9090", datasource.get("datasources").get(0).get("url").asText());

        String out =
                checkConfig(Files.readString(deploy("streamwatch/streamwatch.yaml")), tokenFile());
        assertTrue(out.contains("listen 0.0.0.0:" + port), out);
    }

    @Test
    void kubernetesManifestsAgreeWithTheService() throws Exception {
        Map<String, JsonNode> byKind = new HashMap<>();
        for (Path f :
                List.of(
                        deploy("kubernetes/streamwatch.yaml"),
                        deploy("kubernetes/streamwatch-secret.yaml"),
                        deploy("kubernetes/streamwatch-monitoring.yaml"),
                        deploy("kubernetes/streamwatch-prometheusrule.yaml"))) {
            for (JsonNode d : documents(f)) byKind.put(d.get("kind").asText(), d);
        }
        for (String kind :
                List.of(
                        "Namespace",
                        "ConfigMap",
                        "PersistentVolumeClaim",
                        "Deployment",
                        "Service",
                        "Secret",
                        "ServiceMonitor",
                        "PrometheusRule")) {
            assertTrue(byKind.containsKey(kind), "manifests have a " + kind);
        }
        JsonNode pod = byKind.get("Deployment").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertEquals(IMAGE, container.get("image").asText());
        assertEquals(
                List.of("--config", "/etc/streamwatch/streamwatch.yaml"),
                YAML.convertValue(container.get("args"), List.class));
        assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/healthz", container.at("/livenessProbe/httpGet/path").asText());

        String configText = byKind.get("ConfigMap").at("/data/streamwatch.yaml").asText();
        JsonNode config = YAML.readTree(configText);
        assertEquals(
                config.at("/server/port").asInt(), container.at("/ports/0/containerPort").asInt());
        Map<String, String> mounts = new HashMap<>();
        for (JsonNode m : container.get("volumeMounts"))
            mounts.put(m.get("name").asText(), m.get("mountPath").asText());
        assertEquals("/etc/streamwatch/streamwatch.yaml", mounts.get("config"));
        String tokenFile = config.at("/ingest/tokenFile").asText();
        assertEquals(
                mounts.get("tokens") + "/ingest-token",
                tokenFile,
                "the token file is the secret's key under its mount");
        assertTrue(byKind.get("Secret").at("/stringData").has("ingest-token"));
        assertEquals(
                config.at("/storage/dir").asText(),
                mounts.get("data"),
                "storage.dir is the persistent volume");
        assertEquals("http", byKind.get("Service").at("/spec/ports/0/targetPort").asText());
        assertEquals(
                "/metrics", byKind.get("ServiceMonitor").at("/spec/endpoints/0/path").asText());
        checkConfig(configText, tokenFile());

        // The PrometheusRule is alert-rules/, group for group.
        List<JsonNode> expected = new ArrayList<>();
        for (String f :
                List.of(
                        "streamwatch-recording.yml",
                        "streamwatch-alerts.yml",
                        "streamwatch-query-alerts.yml")) {
            YAML.readTree(AlertRulesIT.repo().resolve("alert-rules").resolve(f).toFile())
                    .get("groups")
                    .forEach(expected::add);
        }
        List<JsonNode> actual = new ArrayList<>();
        byKind.get("PrometheusRule").at("/spec/groups").forEach(actual::add);
        assertEquals(
                expected,
                actual,
                "regenerate deploy/kubernetes/streamwatch-prometheusrule.yaml from alert-rules/");
    }

    @Test
    void prometheusAndAlertmanagerAcceptTheirConfigs() throws Exception {
        String out = AlertRulesIT.promtool("check", "config", "deploy/prometheus/prometheus.yml");
        assertTrue(out.contains("SUCCESS"), out);
        JsonNode prom = YAML.readTree(deploy("prometheus/prometheus.yml").toFile());
        assertEquals(
                "streamwatch:9470",
                prom.at("/scrape_configs/0/static_configs/0/targets/0").asText());
        assertEquals("/metrics", prom.at("/scrape_configs/0/metrics_path").asText());
        Process amtool =
                new ProcessBuilder(
                                "/usr/bin/amtool",
                                "check-config",
                                deploy("alertmanager/alertmanager.yml").toString())
                        .redirectErrorStream(true)
                        .start();
        String amOut = new String(amtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(amtool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, amtool.exitValue(), amOut);
    }

    @Test
    void theSystemdUnitAndTheSparkSubmitExampleUseTheRealNames() throws Exception {
        String unit = Files.readString(deploy("systemd/streamwatch.service"));
        assertTrue(
                unit.contains(
                        "-jar /opt/streamwatch/streamwatch-service.jar --config /etc/streamwatch/streamwatch.yaml"),
                unit);
        assertTrue(
                unit.contains("RestartPreventExitStatus=2"),
                "configuration errors (exit 2) are not retried");
        String submit = Files.readString(deploy("spark/spark-submit-example.sh"));
        assertTrue(
                submit.contains(
                        "--conf spark.extraListeners=io.streamwatch.listener.StreamwatchListener"));
        assertTrue(submit.contains("--conf spark.streamwatch.url="));
        assertTrue(submit.contains("streamwatch-listener.jar"));
    }
}
