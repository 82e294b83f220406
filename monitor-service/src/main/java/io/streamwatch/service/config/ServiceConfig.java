package io.streamwatch.service.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration, immutable. Built only by {@link ConfigLoader}; each stage
 * receives its own section and never reads global configuration at run time.
 */
public record ServiceConfig(
        Server server,
        Storage storage,
        Ingest ingest,
        Api api,
        Metrics metrics,
        Alerting alerting,
        Spark spark,
        Kafka kafka) {

    /**
     * @param externalUrl how people reach the service (links in alerts); null: derived from host and port
     * @param tls         null for plain HTTP
     */
    public record Server(String host, int port, String externalUrl, Tls tls) {}

    /** PEM files: the certificate chain and its private key (PKCS#8, RSA or EC). */
    public record Tls(java.nio.file.Path certFile, java.nio.file.Path keyFile) {}

    public record Storage(Path dir, int historyBatches, Duration appRetention) {}

    /** Ingest limits and credentials. {@code toString()} never shows the tokens. */
    public record Ingest(Secrets tokens, boolean allowUnauthenticated, long maxBodyBytes, int maxApps,
                         int maxEventsPerRequest, double maxRequestsPerSecondPerApp) {}

    /** Read access to {@code /api/v1}. Ingest tokens are accepted for reading too. */
    public record Api(Secrets tokens, boolean allowUnauthenticated) {}

    /** @param requireToken when true, {@code /metrics} needs a reader (api) or ingest token */
    public record Metrics(Duration appRetention, boolean requireToken) {}

    public record Alerting(int slowBatches, int delayWindow, Duration appDownAfter, Duration resendInterval,
                           Duration kafkaLagFloor, List<Receiver> receivers) {}

    /** A notification target. {@code toString()} never shows the PagerDuty routing key. */
    public record Receiver(String type, String url, Secrets routingKey) {}

    public record Spark(Duration restPollInterval, List<SparkTarget> targets, Duration requestTimeout, int maxConcurrentPolls) {}

    public record SparkTarget(String app, String url) {}

    /** Kafka client settings. {@code properties} may hold SASL secrets and is never printed. */
    public record Kafka(String bootstrapServers, List<String> consumerGroups, Duration pollInterval,
                        SecretProperties properties, Duration requestTimeout) {}

    /** A list of secret strings whose {@code toString()} only says how many there are. */
    public record Secrets(List<String> values) {
        public Secrets {
            values = List.copyOf(values);
        }

        public static Secrets none() {
            return new Secrets(List.of());
        }

        public boolean isEmpty() {
            return values.isEmpty();
        }

        @Override
        public String toString() {
            return "Secrets[" + values.size() + " hidden]";
        }
    }

    /** String properties that may contain secrets (passwords in JAAS configs); printed as keys only. */
    public record SecretProperties(Map<String, String> values) {
        public SecretProperties {
            values = Map.copyOf(values);
        }

        @Override
        public String toString() {
            return "Properties" + values.keySet();
        }
    }
}
