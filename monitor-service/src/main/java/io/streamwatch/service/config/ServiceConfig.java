package io.streamwatch.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.streamwatch.service.config.Constraints.AtLeast;
import io.streamwatch.service.config.Constraints.CrossChecked;
import io.streamwatch.service.config.Constraints.Default;
import io.streamwatch.service.config.Constraints.HttpUrl;
import io.streamwatch.service.config.Constraints.LinesAddedTo;
import io.streamwatch.service.config.Constraints.Range;
import io.streamwatch.service.config.Constraints.ReadableFile;
import io.streamwatch.service.config.Constraints.Required;
import io.streamwatch.service.config.Constraints.SingleValue;
import io.streamwatch.service.config.Constraints.Violation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole validated configuration, immutable, and the one declaration of its schema: each YAML
 * key is a record component named like it, with its default and limits as {@link Constraints}
 * annotations. Built only by {@link ConfigLoader}; each stage receives its own section and never
 * reads global configuration at run time.
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
     * @param externalUrl how people reach the service (links in alerts); null: derived from host
     *     and port
     * @param tls null for plain HTTP
     */
    public record Server(
            @Default("0.0.0.0") String host,
            @Default("9470") @Range(min = 0, max = 65535) int port,
            @HttpUrl(
                            "the address people use to reach this service, e.g. http://streamwatch.example.com:9470")
                    String externalUrl,
            Tls tls) {
        public Server {
            externalUrl = withoutTrailingSlash(externalUrl);
        }
    }

    /** PEM files: the certificate chain and its private key (PKCS#8, RSA or EC). */
    public record Tls(
            @Required(TLS_FILES) @ReadableFile Path certFile,
            @Required(TLS_FILES) @ReadableFile Path keyFile) {}

    private static final String TLS_FILES =
            "server.tls needs both certFile and keyFile "
                    + "(PEM files: the certificate chain and its PKCS#8 private key)";

    public record Storage(
            @Default("./streamwatch-data") Path dir,
            @Default("1000") @Range(min = 10, max = 1_000_000) int historyBatches,
            @Default("1000") @Range(min = 10, max = 1_000_000) int historyMicroBatches,
            @Default("7d") @AtLeast("1m") Duration appRetention) {}

    /**
     * Ingest limits and credentials. {@code toString()} never shows the tokens.
     *
     * @param tokens the tokens listed in YAML plus those read from {@code tokenFile}
     * @param tokenFile where some of the tokens came from, or null
     * @param appTokens ingest tokens that may only send events for the app keys listed with them
     */
    public record Ingest(
            Secrets tokens,
            @LinesAddedTo("tokens") Path tokenFile,
            List<AppToken> appTokens,
            @Default("false") boolean allowUnauthenticated,
            @Default("1048576") @Range(min = 1024, max = 256L * 1024 * 1024) long maxBodyBytes,
            @Default("5000") @Range(min = 1, max = 1_000_000) int maxApps,
            @Default("5000") @Range(min = 1, max = 100_000) int maxEventsPerRequest,
            @Default("50") @Range(min = 0.1, max = 100_000) double maxRequestsPerSecondPerApp,
            @Default("32") @Range(min = 1, max = 10_000) int maxConcurrentRequests,
            @Default("1024") @Range(min = 0, max = 1L << 30) long minBodyBytesPerSecond,
            @Default("16777216") @Range(min = 1024, max = 4L * 1024 * 1024 * 1024)
                    long maxDecodingBytes)
            implements CrossChecked {
        public Ingest {
            appTokens = present(appTokens);
        }

        /** A token both bound to apps and unbound would be unbound: refused as ambiguous. */
        @Override
        public List<Violation> violations() {
            List<Violation> out = new ArrayList<>();
            for (int i = 0; i < appTokens.size(); i++) {
                AppToken bound = appTokens.get(i);
                if (bound == null) continue;
                for (String t : bound.token().values()) {
                    if (tokens != null && tokens.values().contains(t)) {
                        out.add(
                                new Violation(
                                        "appTokens[" + i + "].token",
                                        "is also listed in ingest.tokens (unbound, any app);"
                                                + " list each token in one place"));
                        break;
                    }
                }
            }
            return out;
        }
    }

    /**
     * An ingest token that may only send events for {@code apps}. {@code toString()} never shows
     * the token.
     *
     * @param token the token (or several, with {@code tokenFile})
     * @param tokenFile a file of tokens for these apps, one per line, {@code #} comments
     */
    public record AppToken(
            List<String> apps, @SingleValue Secrets token, @LinesAddedTo("token") Path tokenFile)
            implements CrossChecked {
        public AppToken {
            apps = present(apps);
            if (token == null) token = Secrets.none();
        }

        @Override
        public List<Violation> violations() {
            List<Violation> out = new ArrayList<>();
            if (apps.isEmpty())
                out.add(
                        new Violation(
                                "apps",
                                "required: the app keys this token may send events for,"
                                        + " e.g. [orders, billing]"));
            if (token.values().stream().allMatch(String::isBlank))
                out.add(
                        new Violation(
                                "token",
                                "required: the token (or a tokenFile), as the listener's"
                                        + " spark.streamwatch.token"));
            return out;
        }
    }

    /**
     * Read access to {@code /api/v1}; tokens as in {@link Ingest}.
     *
     * @param ingestTokensCanRead accept ingest tokens for reading too (off: an ingest token only
     *     writes, and reading with it is 403)
     */
    public record Api(
            Secrets tokens,
            @LinesAddedTo("tokens") Path tokenFile,
            @Default("false") boolean allowUnauthenticated,
            @Default("false") boolean ingestTokensCanRead) {}

    /**
     * @param requireToken when true, {@code /metrics} needs a reader (api) token (or an ingest
     *     token when {@code api.ingestTokensCanRead})
     */
    public record Metrics(
            @Default("1h") @AtLeast("1s") Duration appRetention,
            @Default("false") boolean requireToken) {}

    public record Alerting(
            @Default("3") @Range(min = 1, max = 1000) int slowBatches,
            @Default("10") @Range(min = 3, max = 1000) int delayWindow,
            @Default("30s") @AtLeast("1s") Duration appDownAfter,
            @Default("60s") @AtLeast("1s") Duration resendInterval,
            @Default("30s") @AtLeast("1s") Duration kafkaLagFloor,
            List<Receiver> receivers,
            @AtLeast("0s") Duration startupGrace,
            @Default("2h") @AtLeast("10m") Duration stateGrowthWindow) {
        /** The start-up grace when {@code startupGrace} is not set: a listener's retry margin. */
        public static final Duration MIN_DEFAULT_STARTUP_GRACE = Duration.ofSeconds(90);

        public Alerting {
            receivers = present(receivers);
        }

        /**
         * How long after start silence is not evidence (no app down or stalled page): {@code
         * startupGrace}, by default the larger of {@code appDownAfter} and 90 s (a listener's
         * heartbeat plus its longest retry backoff, with margin).
         */
        public Duration effectiveStartupGrace() {
            if (startupGrace != null) return startupGrace;
            return appDownAfter.compareTo(MIN_DEFAULT_STARTUP_GRACE) > 0
                    ? appDownAfter
                    : MIN_DEFAULT_STARTUP_GRACE;
        }
    }

    /**
     * A notification target. {@code toString()} never shows the PagerDuty routing key. A PagerDuty
     * receiver without a URL uses PagerDuty's Events API v2 endpoint.
     */
    public record Receiver(
            @Required("use alertmanager, webhook or pagerduty") Type type,
            @HttpUrl("the receiver's endpoint, e.g. http://alertmanager:9093") String url,
            @SingleValue Secrets routingKey)
            implements CrossChecked {
        public static final String PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

        public Receiver {
            if (url == null && type == Type.PAGERDUTY) url = PAGERDUTY_EVENTS_URL;
            if (routingKey == null) routingKey = Secrets.none();
        }

        /** For wiring by name, as in YAML: {@code new Receiver("webhook", url, Secrets.none())}. */
        public Receiver(String type, String url, Secrets routingKey) {
            this(Type.of(type), url, routingKey);
        }

        @Override
        public List<Violation> violations() {
            if (url == null)
                return List.of(
                        new Violation(
                                "url",
                                "required: the receiver's endpoint, e.g. http://alertmanager:9093"));
            if (type == Type.PAGERDUTY && routingKey.values().stream().allMatch(String::isBlank)) {
                return List.of(
                        new Violation(
                                "routingKey",
                                "required for a pagerduty receiver (the integration key of the PagerDuty service)"));
            }
            return List.of();
        }

        /** How alerts are delivered; written in lower case in YAML and in {@code toString()}. */
        public enum Type {
            @JsonProperty("alertmanager")
            ALERTMANAGER,
            @JsonProperty("webhook")
            WEBHOOK,
            @JsonProperty("pagerduty")
            PAGERDUTY;

            /**
             * @throws IllegalArgumentException naming the accepted types
             */
            public static Type of(String name) {
                for (Type t : values()) {
                    if (t.toString().equals(name)) return t;
                }
                throw new IllegalArgumentException(
                        "'"
                                + name
                                + "' is not a receiver type; use alertmanager, webhook or pagerduty");
            }

            @Override
            public String toString() {
                return name().toLowerCase(Locale.ROOT);
            }
        }
    }

    public record Spark(
            @Default("10s") @AtLeast("100ms") Duration restPollInterval,
            List<SparkTarget> targets,
            @Default("5s") @AtLeast("100ms") Duration requestTimeout,
            @Default("8") @Range(min = 1, max = 256) int maxConcurrentPolls,
            @Default(PRIVATE_NETWORKS) String allowedUiNetworks)
            implements CrossChecked {
        /** Loopback and the private ranges, where a cluster's drivers normally run. */
        public static final String PRIVATE_NETWORKS =
                "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

        public Spark {
            targets = present(targets);
        }

        /** The networks a UI reported by a listener must be in to be polled. */
        public List<Cidr> uiNetworks() {
            return Cidr.parseList(allowedUiNetworks == null ? "" : allowedUiNetworks);
        }

        @Override
        public List<Violation> violations() {
            try {
                uiNetworks();
                return List.of();
            } catch (IllegalArgumentException e) {
                return List.of(new Violation("allowedUiNetworks", e.getMessage()));
            }
        }
    }

    /** A driver polled over REST, with or without a listener. */
    public record SparkTarget(
            @Required("the app key, as the listener's spark.streamwatch.app") String app,
            @Required("the Spark driver UI, e.g. http://driver:4040")
                    @HttpUrl("the Spark driver UI, e.g. http://driver:4040")
                    String url) {
        public SparkTarget {
            url = withoutTrailingSlash(url);
        }
    }

    /** Kafka client settings. {@code properties} may hold SASL secrets and is never printed. */
    public record Kafka(
            String bootstrapServers,
            List<String> consumerGroups,
            @Default("15s") @AtLeast("100ms") Duration pollInterval,
            SecretProperties properties,
            @Default("10s") @AtLeast("100ms") Duration requestTimeout) {
        public Kafka {
            consumerGroups = present(consumerGroups);
            if (properties == null) properties = new SecretProperties(Map.of());
        }
    }

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

    /**
     * String properties that may contain secrets (passwords in JAAS configs); printed as keys only.
     */
    public record SecretProperties(Map<String, String> values) {
        public SecretProperties {
            values = Map.copyOf(values);
        }

        @Override
        public String toString() {
            return "Properties" + values.keySet();
        }
    }

    /**
     * An unmodifiable copy, empty for null. An entry the loader rejected stays as null, so that
     * later problems name the right position; such a configuration is never handed out.
     */
    private static <T> List<T> present(List<T> list) {
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }

    private static String withoutTrailingSlash(String url) {
        return url == null ? null : url.replaceAll("/+$", "");
    }
}
