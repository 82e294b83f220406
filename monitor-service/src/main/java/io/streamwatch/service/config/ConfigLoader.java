package io.streamwatch.service.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads the YAML configuration, applies {@code STREAMWATCH_*} environment overrides, and validates
 * everything at once. Every problem names its key and the bad value; all are reported together.
 */
public final class ConfigLoader {
    static final String ENV_PREFIX = "STREAMWATCH_";

    /** Every key the service knows, by section, with its kind. Order is the documentation order. */
    private static final Map<String, Map<String, Kind>> SCHEMA = schema();

    private enum Kind { SCALAR, SCALAR_LIST, OBJECT_LIST, STRING_MAP, OBJECT }

    /** Keys of nested objects (section.key → its keys), e.g. server.tls. */
    private static final Map<String, List<String>> NESTED = Map.of("server.tls", List.of("certFile", "keyFile"));

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /** The loaded configuration plus non-fatal warnings (e.g. an unrecognised STREAMWATCH_ variable). */
    public record Loaded(ServiceConfig config, List<String> warnings) {}

    /**
     * @param file YAML file, or null for defaults only
     * @param env  environment variables (pass {@code System.getenv()})
     * @throws ConfigException listing every problem found
     */
    public static Loaded load(Path file, Map<String, String> env) {
        ConfigLoader loader = new ConfigLoader(env);
        ObjectNode root = loader.readFile(file);
        if (root != null) {
            loader.checkKnownKeys(root);
            loader.applyEnv(root);
        }
        ServiceConfig config = root == null ? null : loader.build(root);
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(loader.problems);
        }
        return new Loaded(config, List.copyOf(loader.warnings));
    }

    private static Map<String, Map<String, Kind>> schema() {
        Map<String, Map<String, Kind>> s = new LinkedHashMap<>();
        s.put("server", keys("host", Kind.SCALAR, "port", Kind.SCALAR, "externalUrl", Kind.SCALAR, "tls", Kind.OBJECT));
        s.put("storage", keys("dir", Kind.SCALAR, "historyBatches", Kind.SCALAR, "appRetention", Kind.SCALAR));
        s.put("ingest", keys("tokens", Kind.SCALAR_LIST, "tokenFile", Kind.SCALAR, "allowUnauthenticated", Kind.SCALAR,
                "maxBodyBytes", Kind.SCALAR, "maxApps", Kind.SCALAR, "maxEventsPerRequest", Kind.SCALAR,
                "maxRequestsPerSecondPerApp", Kind.SCALAR));
        s.put("api", keys("tokens", Kind.SCALAR_LIST, "tokenFile", Kind.SCALAR, "allowUnauthenticated", Kind.SCALAR));
        s.put("metrics", keys("appRetention", Kind.SCALAR, "requireToken", Kind.SCALAR));
        s.put("alerting", keys("slowBatches", Kind.SCALAR, "delayWindow", Kind.SCALAR, "appDownAfter", Kind.SCALAR,
                "resendInterval", Kind.SCALAR, "kafkaLagFloor", Kind.SCALAR, "receivers", Kind.OBJECT_LIST));
        s.put("spark", keys("restPollInterval", Kind.SCALAR, "targets", Kind.OBJECT_LIST, "requestTimeout", Kind.SCALAR,
                "maxConcurrentPolls", Kind.SCALAR));
        s.put("kafka", keys("bootstrapServers", Kind.SCALAR, "consumerGroups", Kind.SCALAR_LIST,
                "pollInterval", Kind.SCALAR, "properties", Kind.STRING_MAP, "requestTimeout", Kind.SCALAR));
        return s;
    }

    private static Map<String, Kind> keys(Object... pairs) {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Kind) pairs[i + 1]);
        }
        return m;
    }

    private ObjectNode readFile(Path file) {
        if (file == null) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!Files.isRegularFile(file)) {
            problems.add("config file " + file + " does not exist or is not a file");
            return null;
        }
        try {
            JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                problems.add("config file " + file + ": the top level must be a mapping of sections (server:, ingest:, ...)");
                return null;
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            problems.add("config file " + file + " is not valid YAML: " + firstLine(e.getMessage()));
            return null;
        }
    }

    private void checkKnownKeys(ObjectNode root) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String section = it.next();
            Map<String, Kind> known = SCHEMA.get(section);
            if (known == null) {
                problems.add("unknown key '" + section + "' (known sections: " + String.join(", ", SCHEMA.keySet()) + ")");
                continue;
            }
            JsonNode node = root.get(section);
            if (node.isNull()) {
                continue;
            }
            if (!node.isObject()) {
                problems.add(section + ": must be a mapping of keys (" + String.join(", ", known.keySet()) + ")");
                continue;
            }
            for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!known.containsKey(key)) {
                    problems.add("unknown key '" + section + "." + key + "' (known keys in " + section + ": "
                            + String.join(", ", known.keySet()) + ")");
                } else if (known.get(key) == Kind.OBJECT && node.get(key).isObject()) {
                    List<String> nested = NESTED.get(section + "." + key);
                    for (Iterator<String> n = node.get(key).fieldNames(); n.hasNext(); ) {
                        String k = n.next();
                        if (!nested.contains(k)) {
                            problems.add("unknown key '" + section + "." + key + "." + k + "' (known keys in " + section + "."
                                    + key + ": " + String.join(", ", nested) + ")");
                        }
                    }
                }
            }
        }
    }

    /** {@code server.port} is overridden by STREAMWATCH_SERVER_PORT; lists take comma-separated values. */
    private void applyEnv(ObjectNode root) {
        Set<String> used = new TreeSet<>();
        for (Map.Entry<String, Map<String, Kind>> section : SCHEMA.entrySet()) {
            for (Map.Entry<String, Kind> key : section.getValue().entrySet()) {
                String name = envName(section.getKey(), key.getKey());
                String value = env.get(name);
                if (key.getValue() == Kind.OBJECT) {
                    for (String nested : NESTED.get(section.getKey() + "." + key.getKey())) {
                        String nestedName = name + "_" + upperSnake(nested);
                        String v = env.get(nestedName);
                        if (v == null) continue;
                        used.add(nestedName);
                        JsonNode sectionNode = root.get(section.getKey());
                        ObjectNode target = sectionNode instanceof ObjectNode o ? o : root.putObject(section.getKey());
                        JsonNode obj = target.get(key.getKey());
                        ObjectNode objNode = obj instanceof ObjectNode o ? o : target.putObject(key.getKey());
                        objNode.set(nested, new TextNode(v));
                    }
                    continue;
                }
                if (value == null || key.getValue() == Kind.OBJECT_LIST || key.getValue() == Kind.STRING_MAP) {
                    continue;
                }
                used.add(name);
                JsonNode sectionNode = root.get(section.getKey());
                ObjectNode target = sectionNode instanceof ObjectNode o ? o : root.putObject(section.getKey());
                if (key.getValue() == Kind.SCALAR_LIST) {
                    ArrayNode list = target.putArray(key.getKey());
                    for (String part : value.split(",")) {
                        if (!part.isBlank()) list.add(part.trim());
                    }
                } else {
                    target.set(key.getKey(), new TextNode(value));
                }
            }
        }
        for (String name : env.keySet()) {
            if (name.startsWith(ENV_PREFIX) && !used.contains(name) && !name.equals("STREAMWATCH_CONFIG")) {
                warnings.add("environment variable " + name + " matches no scalar configuration key and is ignored");
            }
        }
    }

    static String envName(String section, String key) {
        return ENV_PREFIX + upperSnake(section) + "_" + upperSnake(key);
    }

    static String upperSnake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private ServiceConfig build(ObjectNode root) {
        Section server = new Section(root, "server");
        Section storage = new Section(root, "storage");
        Section ingest = new Section(root, "ingest");
        Section api = new Section(root, "api");
        Section metrics = new Section(root, "metrics");
        Section alerting = new Section(root, "alerting");
        Section spark = new Section(root, "spark");
        Section kafka = new Section(root, "kafka");

        String externalUrl = server.nullableString("externalUrl");
        if (externalUrl != null && !isHttpUrl(externalUrl)) {
            problems.add("server.externalUrl (env STREAMWATCH_SERVER_EXTERNAL_URL): '" + externalUrl
                    + "' is not an http(s) URL; it is the address people use to reach this service, e.g. http://streamwatch.example.com:9470");
            externalUrl = null;
        }
        var serverCfg = new ServiceConfig.Server(server.string("host", "0.0.0.0"), (int) server.integer("port", 9470, 0, 65535),
                externalUrl == null ? null : externalUrl.replaceAll("/+$", ""), tls(server));
        var storageCfg = new ServiceConfig.Storage(Path.of(storage.string("dir", "./streamwatch-data")),
                (int) storage.integer("historyBatches", 1000, 10, 1_000_000),
                storage.duration("appRetention", Duration.ofDays(7), Duration.ofMinutes(1)));
        var ingestCfg = new ServiceConfig.Ingest(
                tokens(ingest),
                ingest.bool("allowUnauthenticated", false),
                ingest.integer("maxBodyBytes", 1_048_576, 1024, 256L * 1024 * 1024),
                (int) ingest.integer("maxApps", 5000, 1, 1_000_000),
                (int) ingest.integer("maxEventsPerRequest", 5000, 1, 100_000),
                ingest.decimal("maxRequestsPerSecondPerApp", 50, 0.1, 100_000));
        var apiCfg = new ServiceConfig.Api(tokens(api), api.bool("allowUnauthenticated", false));
        var metricsCfg = new ServiceConfig.Metrics(metrics.duration("appRetention", Duration.ofHours(1), Duration.ofSeconds(1)),
                metrics.bool("requireToken", false));
        var alertingCfg = new ServiceConfig.Alerting(
                (int) alerting.integer("slowBatches", 3, 1, 1000),
                (int) alerting.integer("delayWindow", 10, 3, 1000),
                alerting.duration("appDownAfter", Duration.ofSeconds(30), Duration.ofSeconds(1)),
                alerting.duration("resendInterval", Duration.ofSeconds(60), Duration.ofSeconds(1)),
                alerting.duration("kafkaLagFloor", Duration.ofSeconds(30), Duration.ofSeconds(1)),
                receivers(alerting));
        var sparkCfg = new ServiceConfig.Spark(spark.duration("restPollInterval", Duration.ofSeconds(10), Duration.ofMillis(100)),
                targets(spark), spark.duration("requestTimeout", Duration.ofSeconds(5), Duration.ofMillis(100)),
                (int) spark.integer("maxConcurrentPolls", 8, 1, 256));
        var kafkaCfg = new ServiceConfig.Kafka(kafka.nullableString("bootstrapServers"), kafka.stringList("consumerGroups"),
                kafka.duration("pollInterval", Duration.ofSeconds(15), Duration.ofMillis(100)),
                new ServiceConfig.SecretProperties(kafka.stringMap("properties")),
                kafka.duration("requestTimeout", Duration.ofSeconds(10), Duration.ofMillis(100)));
        return new ServiceConfig(serverCfg, storageCfg, ingestCfg, apiCfg, metricsCfg, alertingCfg, sparkCfg, kafkaCfg);
    }

    private ServiceConfig.Tls tls(Section server) {
        JsonNode t = server.raw("tls");
        if (t == null || t.isNull()) return null;
        if (!t.isObject()) {
            problems.add("server.tls: must be a mapping {certFile: /path/cert.pem, keyFile: /path/key.pem}");
            return null;
        }
        String cert = text(t, "certFile");
        String key = text(t, "keyFile");
        if (cert == null || key == null) {
            problems.add("server.tls: needs both certFile and keyFile (PEM files: the certificate chain and its PKCS#8 private key)");
            return null;
        }
        for (String[] f : new String[][] {{"certFile", cert}, {"keyFile", key}}) {
            if (!Files.isReadable(Path.of(f[1]))) {
                problems.add("server.tls." + f[0] + " (env STREAMWATCH_SERVER_TLS_" + upperSnake(f[0]) + "): cannot read '" + f[1]
                        + "'; check the path and that the service user may read it");
                return null;
            }
        }
        return new ServiceConfig.Tls(Path.of(cert), Path.of(key));
    }

    private ServiceConfig.Secrets tokens(Section section) {
        List<String> tokens = new ArrayList<>();
        for (String t : section.stringList("tokens")) {
            if (t.isBlank()) {
                problems.add(section.name + ".tokens: an empty token is not allowed");
            } else {
                tokens.add(t.trim());
            }
        }
        String file = section.nullableString("tokenFile");
        if (file != null) {
            try {
                for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                    String t = line.trim();
                    if (!t.isEmpty() && !t.startsWith("#")) tokens.add(t);
                }
            } catch (IOException | RuntimeException e) {
                problems.add(section.name + ".tokenFile: cannot read '" + file + "' (" + e.getClass().getSimpleName()
                        + "); check the path and that the service user may read it");
            }
        }
        return new ServiceConfig.Secrets(tokens);
    }

    private List<ServiceConfig.Receiver> receivers(Section alerting) {
        List<ServiceConfig.Receiver> out = new ArrayList<>();
        JsonNode list = alerting.raw("receivers");
        if (list == null || list.isNull()) return out;
        if (!list.isArray()) {
            problems.add("alerting.receivers: must be a list of {type, url} entries");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            String where = "alerting.receivers[" + i + "]";
            JsonNode r = list.get(i);
            if (!r.isObject()) {
                problems.add(where + ": must be a mapping like {type: webhook, url: http://host:port/path}");
                continue;
            }
            checkOnly(r, where, Set.of("type", "url", "routingKey"));
            String type = text(r, "type");
            if (type == null || !Set.of("alertmanager", "webhook", "pagerduty").contains(type)) {
                problems.add(where + ".type: '" + type + "' is not a receiver type; use alertmanager, webhook or pagerduty");
                continue;
            }
            String url = text(r, "url");
            if (url == null && type.equals("pagerduty")) url = "https://events.pagerduty.com/v2/enqueue";
            if (url == null || !isHttpUrl(url)) {
                problems.add(where + ".url: '" + url + "' is not an http(s) URL");
                continue;
            }
            String key = text(r, "routingKey");
            if (type.equals("pagerduty") && (key == null || key.isBlank())) {
                problems.add(where + ".routingKey: required for a pagerduty receiver (the integration key of the PagerDuty service)");
                continue;
            }
            out.add(new ServiceConfig.Receiver(type, url, key == null ? ServiceConfig.Secrets.none() : new ServiceConfig.Secrets(List.of(key))));
        }
        return out;
    }

    private List<ServiceConfig.SparkTarget> targets(Section spark) {
        List<ServiceConfig.SparkTarget> out = new ArrayList<>();
        JsonNode list = spark.raw("targets");
        if (list == null || list.isNull()) return out;
        if (!list.isArray()) {
            problems.add("spark.targets: must be a list of {app, url} entries");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            String where = "spark.targets[" + i + "]";
            JsonNode t = list.get(i);
            if (!t.isObject()) {
                problems.add(where + ": must be a mapping like {app: orders, url: http://driver:4040}");
                continue;
            }
            checkOnly(t, where, Set.of("app", "url"));
            String app = text(t, "app");
            String url = text(t, "url");
            if (app == null || app.isBlank()) {
                problems.add(where + ".app: required (the app key, as the listener's spark.streamwatch.app)");
            } else if (url == null || !isHttpUrl(url)) {
                problems.add(where + ".url: '" + url + "' is not an http(s) URL of a Spark driver UI");
            } else {
                out.add(new ServiceConfig.SparkTarget(app, url.replaceAll("/+$", "")));
            }
        }
        return out;
    }

    private void checkOnly(JsonNode obj, String where, Set<String> allowed) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                problems.add("unknown key '" + where + "." + k + "' (known keys: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static String text(JsonNode obj, String key) {
        JsonNode v = obj.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI u = URI.create(url);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Typed reads from one section, recording a problem (and returning the default) on bad values. */
    private final class Section {
        final String name;
        final JsonNode node;

        Section(ObjectNode root, String name) {
            this.name = name;
            JsonNode n = root.get(name);
            this.node = n != null && n.isObject() ? n : JsonNodeFactory.instance.objectNode();
        }

        JsonNode raw(String key) {
            return node.get(key);
        }

        private String where(String key) {
            return name + "." + key + " (env " + envName(name, key) + ")";
        }

        String string(String key, String def) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return def;
            if (!v.isValueNode()) {
                problems.add(where(key) + ": must be a single value");
                return def;
            }
            String s = v.asText().trim();
            if (s.isEmpty()) {
                problems.add(where(key) + ": must not be empty");
                return def;
            }
            return s;
        }

        String nullableString(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return null;
            String s = string(key, null);
            return s == null || s.equalsIgnoreCase("null") ? null : s;
        }

        long integer(String key, long def, long min, long max) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return def;
            long n;
            try {
                n = v.isIntegralNumber() ? v.asLong() : Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                problems.add(where(key) + ": '" + v.asText() + "' is not a whole number");
                return def;
            }
            if (n < min || n > max) {
                problems.add(where(key) + ": " + n + " is out of range; use " + min + " to " + max);
                return def;
            }
            return n;
        }

        double decimal(String key, double def, double min, double max) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return def;
            double d;
            try {
                d = v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                problems.add(where(key) + ": '" + v.asText() + "' is not a number");
                return def;
            }
            if (!(d >= min && d <= max)) {
                problems.add(where(key) + ": " + v.asText() + " is out of range; use " + min + " to " + max);
                return def;
            }
            return d;
        }

        boolean bool(String key, boolean def) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return def;
            if (v.isBoolean()) return v.asBoolean();
            String s = v.asText().trim().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
            problems.add(where(key) + ": '" + v.asText() + "' is not true or false");
            return def;
        }

        Duration duration(String key, Duration def, Duration min) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return def;
            try {
                Duration d = Durations.parse(v.asText());
                if (d.compareTo(min) < 0) {
                    problems.add(where(key) + ": " + v.asText() + " is too short; at least " + Durations.format(min));
                    return def;
                }
                return d;
            } catch (IllegalArgumentException e) {
                problems.add(where(key) + ": " + e.getMessage());
                return def;
            }
        }

        List<String> stringList(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return List.of();
            if (!v.isArray()) {
                problems.add(where(key) + ": must be a list (in YAML [a, b]; in the environment a,b)");
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isValueNode() || e.isNull()) {
                    problems.add(where(key) + ": every entry must be a single value");
                } else {
                    out.add(e.asText());
                }
            }
            return out;
        }

        Map<String, String> stringMap(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) return Map.of();
            if (!v.isObject()) {
                problems.add(name + "." + key + ": must be a mapping of Kafka client properties");
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    problems.add(name + "." + key + "." + e.getKey() + ": must be a single value");
                } else {
                    out.put(e.getKey(), e.getValue().asText());
                }
            }
            return out;
        }
    }
}
