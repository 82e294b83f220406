package io.streamwatch.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.service.config.ServiceConfig.Receiver.Type;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir Path dir;

    private Path yaml(String text) throws IOException {
        Path p = dir.resolve("streamwatch.yaml");
        Files.writeString(p, text);
        return p;
    }

    private static String problems(Runnable r) {
        ConfigException e = assertThrows(ConfigException.class, r::run);
        return String.join("\n", e.problems());
    }

    @Test
    void defaultsMatchTheContract() {
        ServiceConfig c = ConfigLoader.load(null, Map.of()).config();
        assertEquals("0.0.0.0", c.server().host());
        assertEquals(9470, c.server().port());
        assertEquals(Path.of("./streamwatch-data"), c.storage().dir());
        assertEquals(1_048_576, c.ingest().maxBodyBytes());
        assertEquals(5000, c.ingest().maxApps());
        assertFalse(c.ingest().allowUnauthenticated());
        assertTrue(c.ingest().tokens().isEmpty());
        assertEquals(3, c.alerting().slowBatches());
        assertEquals(10, c.alerting().delayWindow());
        assertEquals(Duration.ofSeconds(30), c.alerting().appDownAfter());
        assertEquals(Duration.ofSeconds(60), c.alerting().resendInterval());
        assertEquals(Duration.ofSeconds(10), c.spark().restPollInterval());
        assertEquals(Duration.ofSeconds(15), c.kafka().pollInterval());
        assertTrue(c.storage().historyBatches() >= 1000);
    }

    @Test
    void theContractsExampleFileLoads() throws IOException {
        Path p =
                yaml(
                        """
                server:   { host: 0.0.0.0, port: 9470 }
                storage:  { dir: ./streamwatch-data }
                ingest:   { tokens: [], tokenFile: null, allowUnauthenticated: false, maxBodyBytes: 1048576, maxApps: 5000 }
                alerting:
                  slowBatches: 3
                  delayWindow: 10
                  appDownAfter: 30s
                  resendInterval: 60s
                  receivers:
                    - { type: alertmanager, url: http://127.0.0.1:9093 }
                    - { type: webhook, url: http://127.0.0.1:8080/hook }
                    - { type: pagerduty, routingKey: "abc", url: https://events.pagerduty.com/v2/enqueue }
                spark:    { restPollInterval: 10s, targets: [] }
                kafka:    { bootstrapServers: null, consumerGroups: [], pollInterval: 15s, properties: {} }
                """);
        ServiceConfig c = ConfigLoader.load(p, Map.of()).config();
        assertEquals(
                List.of(Type.ALERTMANAGER, Type.WEBHOOK, Type.PAGERDUTY),
                c.alerting().receivers().stream().map(ServiceConfig.Receiver::type).toList());
        assertEquals(List.of("abc"), c.alerting().receivers().get(2).routingKey().values());
    }

    @Test
    void anUnknownKeyStopsStartupAndIsNamed() throws IOException {
        Path p = yaml("server: { prot: 9470 }\n");
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertTrue(msg.contains("unknown key 'server.prot'"), msg);
        assertTrue(msg.contains("host, port"), msg);
    }

    @Test
    void anUnknownSectionIsNamed() throws IOException {
        Path p = yaml("alerts: { x: 1 }\n");
        assertTrue(problems(() -> ConfigLoader.load(p, Map.of())).contains("unknown key 'alerts'"));
    }

    @Test
    void everyBadValueIsReportedAtOnceWithItsKey() throws IOException {
        Path p =
                yaml(
                        """
                server: { port: 70000 }
                ingest: { maxBodyBytes: lots, allowUnauthenticated: maybe }
                alerting: { appDownAfter: 30, receivers: [ { type: email, url: http://x } ] }
                """);
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertTrue(
                msg.contains(
                        "server.port (env STREAMWATCH_SERVER_PORT): must be at most 65535, got 70000"),
                msg);
        assertTrue(
                msg.contains(
                        "ingest.maxBodyBytes (env STREAMWATCH_INGEST_MAX_BODY_BYTES): 'lots' is not a whole number"),
                msg);
        assertTrue(msg.contains("ingest.allowUnauthenticated"), msg);
        assertTrue(msg.contains("alerting.appDownAfter") && msg.contains("30s"), msg);
        assertTrue(msg.contains("alerting.receivers[0].type: 'email'"), msg);
    }

    @Test
    void environmentVariablesOverrideScalarsAndLists() throws IOException {
        Path p = yaml("server: { port: 1234 }\n");
        ServiceConfig c =
                ConfigLoader.load(
                                p,
                                Map.of(
                                        "STREAMWATCH_SERVER_PORT", "9999",
                                        "STREAMWATCH_INGEST_TOKENS", "a, b,c",
                                        "STREAMWATCH_INGEST_MAX_BODY_BYTES", "2048",
                                        "STREAMWATCH_ALERTING_APP_DOWN_AFTER", "2m",
                                        "STREAMWATCH_KAFKA_CONSUMER_GROUPS", "g1,g2"))
                        .config();
        assertEquals(9999, c.server().port());
        assertEquals(List.of("a", "b", "c"), c.ingest().tokens().values());
        assertEquals(2048, c.ingest().maxBodyBytes());
        assertEquals(Duration.ofMinutes(2), c.alerting().appDownAfter());
        assertEquals(List.of("g1", "g2"), c.kafka().consumerGroups());
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        String msg =
                problems(() -> ConfigLoader.load(null, Map.of("STREAMWATCH_SERVER_PORT", "http")));
        assertTrue(msg.contains("STREAMWATCH_SERVER_PORT") && msg.contains("'http'"), msg);
    }

    @Test
    void anUnmatchedStreamwatchVariableIsAWarningNotAnError() {
        ConfigLoader.Loaded l = ConfigLoader.load(null, Map.of("STREAMWATCH_SERVER_PROT", "1"));
        assertTrue(
                l.warnings().stream().anyMatch(w -> w.contains("STREAMWATCH_SERVER_PROT")),
                l.warnings().toString());
    }

    @Test
    void tokensAreReadFromTheTokenFile() throws IOException {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# comment\nfirst\n\n  second  \n");
        ServiceConfig c =
                ConfigLoader.load(yaml("ingest: { tokenFile: " + tokens + " }\n"), Map.of())
                        .config();
        assertEquals(List.of("first", "second"), c.ingest().tokens().values());
    }

    @Test
    void aMissingTokenFileStopsStartup() throws IOException {
        Path p = yaml("ingest: { tokenFile: /nonexistent/tokens }\n");
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertTrue(
                msg.contains(
                        "ingest.tokenFile (env STREAMWATCH_INGEST_TOKEN_FILE): cannot read '/nonexistent/tokens'"),
                msg);
    }

    @Test
    void aMissingConfigFileIsNamed() {
        assertTrue(
                problems(() -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()))
                        .contains("nope.yaml does not exist"));
    }

    @Test
    void invalidYamlIsReported() throws IOException {
        Path p = yaml("server: [\n");
        assertTrue(problems(() -> ConfigLoader.load(p, Map.of())).contains("is not valid YAML"));
    }

    @Test
    void pagerDutyNeedsARoutingKey() throws IOException {
        Path p = yaml("alerting: { receivers: [ { type: pagerduty } ] }\n");
        assertTrue(
                problems(() -> ConfigLoader.load(p, Map.of()))
                        .contains("alerting.receivers[0].routingKey: required"));
    }

    @Test
    void secretsNeverAppearInToString() throws IOException {
        Path p =
                yaml(
                        """
                ingest: { tokens: [s3cr3t-ingest] }
                api: { tokens: [s3cr3t-api] }
                alerting: { receivers: [ { type: pagerduty, routingKey: s3cr3t-pd } ] }
                kafka: { properties: { sasl.jaas.config: "password=s3cr3t-kafka" } }
                """);
        String text = ConfigLoader.load(p, Map.of()).config().toString();
        assertFalse(text.contains("s3cr3t"), text);
        assertTrue(text.contains("sasl.jaas.config"), text);
    }

    @Test
    void tlsNeedsReadableCertificateAndKeyFiles() throws IOException {
        Path p =
                yaml(
                        "server: { tls: { certFile: /nonexistent/cert.pem, keyFile: /nonexistent/key.pem } }\n");
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertTrue(
                msg.contains(
                        "server.tls.certFile (env STREAMWATCH_SERVER_TLS_CERT_FILE): cannot read '/nonexistent/cert.pem'"),
                msg);
        Path half = yaml("server: { tls: { certFile: /a } }\n");
        assertTrue(
                problems(() -> ConfigLoader.load(half, Map.of()))
                        .contains("needs both certFile and keyFile"));
        Path typo = yaml("server: { tls: { cert: /a } }\n");
        assertTrue(
                problems(() -> ConfigLoader.load(typo, Map.of()))
                        .contains("unknown key 'server.tls.cert'"));
    }

    @Test
    void tlsFilesCanComeFromTheEnvironment() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "y");
        ServiceConfig c =
                ConfigLoader.load(
                                null,
                                Map.of(
                                        "STREAMWATCH_SERVER_TLS_CERT_FILE",
                                        cert.toString(),
                                        "STREAMWATCH_SERVER_TLS_KEY_FILE",
                                        key.toString()))
                        .config();
        assertEquals(cert, c.server().tls().certFile());
        assertEquals(key, c.server().tls().keyFile());
        assertEquals(null, ConfigLoader.load(null, Map.of()).config().server().tls());
    }

    @Test
    void theRateLimitAndMetricsProtectionAreConfigurable() {
        ServiceConfig c =
                ConfigLoader.load(
                                null,
                                Map.of(
                                        "STREAMWATCH_INGEST_MAX_REQUESTS_PER_SECOND_PER_APP",
                                        "2.5",
                                        "STREAMWATCH_METRICS_REQUIRE_TOKEN",
                                        "true"))
                        .config();
        assertEquals(2.5, c.ingest().maxRequestsPerSecondPerApp());
        assertTrue(c.metrics().requireToken());
        assertTrue(
                problems(
                                () ->
                                        ConfigLoader.load(
                                                null,
                                                Map.of(
                                                        "STREAMWATCH_INGEST_MAX_REQUESTS_PER_SECOND_PER_APP",
                                                        "0")))
                        .contains("ingest.maxRequestsPerSecondPerApp"));
    }

    @Test
    void envNamesAreUpperSnakeOfTheKeyPath() {
        assertEquals("STREAMWATCH_SERVER_PORT", ConfigLoader.envName("server", "port"));
        assertEquals(
                "STREAMWATCH_INGEST_MAX_BODY_BYTES",
                ConfigLoader.envName("ingest", "maxBodyBytes"));
        assertEquals(
                "STREAMWATCH_KAFKA_BOOTSTRAP_SERVERS",
                ConfigLoader.envName("kafka", "bootstrapServers"));
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnceWithKeyValueAndHint() throws IOException {
        Path p =
                yaml(
                        """
                server: { host: "", prot: 1 }
                storage: { appRetention: 10s }
                alerting: { slowBatches: 0, delayWindow: 5000 }
                spark:
                  targets:
                    - { url: http://driver:4040 }
                    - { app: orders, url: ftp://driver }
                kafka: { pollInterval: soon }
                """);
        List<String> problems =
                assertThrows(ConfigException.class, () -> ConfigLoader.load(p, Map.of()))
                        .problems();
        assertEquals(
                List.of(
                        "unknown key 'server.prot'; did you mean 'port'? (known keys in server: host, port, externalUrl, tls)",
                        "server.host (env STREAMWATCH_SERVER_HOST): must not be empty; give a value or leave the key out",
                        "kafka.pollInterval (env STREAMWATCH_KAFKA_POLL_INTERVAL): 'soon' is not a duration; write a whole number with a unit: 500ms, 30s, 5m, 2h, 7d",
                        "storage.appRetention (env STREAMWATCH_STORAGE_APP_RETENTION): must be at least 1m, got 10s",
                        "alerting.slowBatches (env STREAMWATCH_ALERTING_SLOW_BATCHES): must be at least 1, got 0",
                        "alerting.delayWindow (env STREAMWATCH_ALERTING_DELAY_WINDOW): must be at most 1000, got 5000",
                        "spark.targets[0].app: required; the app key, as the listener's spark.streamwatch.app",
                        "spark.targets[1].url: 'ftp://driver' is not an http(s) URL; write the Spark driver UI, e.g. http://driver:4040"),
                problems);
    }

    @Test
    void aKeyWrittenTwiceStopsStartupAndIsNamed() throws IOException {
        Path p =
                yaml(
                        """
                ingest: { maxApps: 10 }
                server: { port: 9470 }
                ingest: { maxApps: 20 }
                """);
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertTrue(msg.contains("key 'ingest' appears twice (line 3)"), msg);
        Path nested = yaml("alerting:\n  slowBatches: 3\n  slowBatches: 4\n");
        assertTrue(
                problems(() -> ConfigLoader.load(nested, Map.of()))
                        .contains("key 'alerting.slowBatches' appears twice"));
    }

    @Test
    void theWrongShapeOfAValueIsNamedWithTheExpectedShape() throws IOException {
        Path p =
                yaml(
                        """
                server: [ 1, 2 ]
                ingest: { maxApps: [ 5 ] }
                alerting: { receivers: [ webhook ] }
                kafka: { consumerGroups: { a: b } }
                """);
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertTrue(
                msg.contains("server: must be a mapping of keys (host, port, externalUrl, tls)"),
                msg);
        assertTrue(
                msg.contains(
                        "ingest.maxApps (env STREAMWATCH_INGEST_MAX_APPS): must be a single value"),
                msg);
        assertTrue(
                msg.contains(
                        "alerting.receivers[0]: must be a mapping of keys (type, url, routingKey)"),
                msg);
        assertTrue(
                msg.contains(
                        "kafka.consumerGroups (env STREAMWATCH_KAFKA_CONSUMER_GROUPS): must be a list"),
                msg);
    }

    @Test
    void aNestedKeyIsOverriddenByTheVariableDerivedFromItsPath() {
        ServiceConfig c =
                ConfigLoader.load(
                                null,
                                Map.of(
                                        "STREAMWATCH_ALERTING_SLOW_BATCHES", "7",
                                        "STREAMWATCH_ALERTING_KAFKA_LAG_FLOOR", "2m",
                                        "STREAMWATCH_SPARK_MAX_CONCURRENT_POLLS", "2"))
                        .config();
        assertEquals(7, c.alerting().slowBatches());
        assertEquals(Duration.ofMinutes(2), c.alerting().kafkaLagFloor());
        assertEquals(2, c.spark().maxConcurrentPolls());
        String msg =
                problems(
                        () ->
                                ConfigLoader.load(
                                        null, Map.of("STREAMWATCH_ALERTING_SLOW_BATCHES", "0")));
        assertEquals(
                "alerting.slowBatches (env STREAMWATCH_ALERTING_SLOW_BATCHES): must be at least 1, got 0",
                msg);
    }

    @Test
    void everyKeyWithADefaultHasAnEnvironmentVariable() {
        for (ConfigKeys.Leaf leaf : ConfigKeys.leaves()) {
            if (leaf.key().defaultText() == null) continue;
            String name = ConfigLoader.envName(leaf.path());
            ConfigLoader.Loaded l = ConfigLoader.load(null, Map.of(name, leaf.key().defaultText()));
            assertEquals(List.of(), l.warnings(), name);
        }
    }

    @Test
    void aMistypedVariableIsAWarningThatSuggestsTheKnownOne() {
        ConfigLoader.Loaded l =
                ConfigLoader.load(null, Map.of("STREAMWATCH_ALERTING_SLOW_BATCH", "5"));
        assertEquals(
                List.of(
                        "environment variable STREAMWATCH_ALERTING_SLOW_BATCH matches no configuration key and is ignored;"
                                + " did you mean STREAMWATCH_ALERTING_SLOW_BATCHES?"),
                l.warnings());
        assertEquals(3, l.config().alerting().slowBatches());
    }

    @Test
    void secretsNeverAppearInProblems() throws IOException {
        Path p =
                yaml(
                        """
                ingest: { tokens: [ { t: s3cr3t-ingest } ], maxApps: 0 }
                alerting: { receivers: [ { type: pagerduty, routingKey: [ [ s3cr3t-pd ] ] } ] }
                kafka: { properties: { sasl.jaas.config: { password: s3cr3t-kafka } } }
                """);
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertFalse(msg.contains("s3cr3t"), msg);
        assertTrue(
                msg.contains("ingest.tokens[0]")
                        && msg.contains("kafka.properties.sasl.jaas.config")
                        && msg.contains("alerting.receivers[0].routingKey")
                        && msg.contains("ingest.maxApps"),
                msg);
    }

    @Test
    void aPagerDutyReceiverDefaultsToTheEventsApi() throws IOException {
        ServiceConfig c =
                ConfigLoader.load(
                                yaml(
                                        "alerting: { receivers: [ { type: pagerduty, routingKey: k } ] }\n"),
                                Map.of())
                        .config();
        assertEquals(
                "https://events.pagerduty.com/v2/enqueue", c.alerting().receivers().get(0).url());
        assertEquals(Type.PAGERDUTY, c.alerting().receivers().get(0).type());
        Path noUrl = yaml("alerting: { receivers: [ { type: webhook } ] }\n");
        String msg = problems(() -> ConfigLoader.load(noUrl, Map.of()));
        assertTrue(msg.contains("alerting.receivers[0].url: required"), msg);
    }

    @Test
    void appTokensNeedAppsAndATokenAndNeverShowIt() throws IOException {
        Path p =
                yaml(
                        "ingest:\n"
                                + "  tokens: [shared-secret-1]\n"
                                + "  appTokens:\n"
                                + "    - apps: []\n"
                                + "      token: bound-secret-2\n"
                                + "    - apps: [orders]\n"
                                + "    - apps: [billing]\n"
                                + "      token: shared-secret-1\n");
        String msg = problems(() -> ConfigLoader.load(p, Map.of()));
        assertTrue(msg.contains("ingest.appTokens[0].apps: required"), msg);
        assertTrue(msg.contains("ingest.appTokens[1].token: required"), msg);
        assertTrue(msg.contains("ingest.appTokens[2].token: is also listed in ingest.tokens"), msg);
        assertFalse(msg.contains("secret"), msg);
    }

    @Test
    void appTokensAreReadFromYamlOrAFileAndHidden() throws IOException {
        Path file = dir.resolve("billing.tokens");
        Files.writeString(file, "# billing\nfile-secret-3\n");
        Path p =
                yaml(
                        "ingest:\n"
                                + "  appTokens:\n"
                                + "    - {apps: [orders, billing], token: bound-secret-2}\n"
                                + "    - {apps: [billing], tokenFile: "
                                + file
                                + "}\n");
        ServiceConfig c = ConfigLoader.load(p, Map.of()).config();
        assertEquals(List.of("orders", "billing"), c.ingest().appTokens().get(0).apps());
        assertEquals(List.of("bound-secret-2"), c.ingest().appTokens().get(0).token().values());
        assertEquals(List.of("file-secret-3"), c.ingest().appTokens().get(1).token().values());
        assertFalse(c.toString().contains("secret-"), c.toString());
    }
}
