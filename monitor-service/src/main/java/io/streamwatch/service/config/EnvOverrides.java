package io.streamwatch.service.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.service.config.ConfigKeys.Leaf;
import io.streamwatch.service.config.ConfigKeys.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code STREAMWATCH_*} environment variables, one per key that holds a value or a list of values,
 * named after the key path ({@code server.tls.certFile} → {@code
 * STREAMWATCH_SERVER_TLS_CERT_FILE}); lists are comma-separated. Derived from {@link ConfigKeys},
 * so a new key gets its variable for free.
 */
final class EnvOverrides {
    /** Names the service reads itself, not configuration keys. */
    private static final List<String> NOT_KEYS = List.of("STREAMWATCH_CONFIG");

    /** Variable name → the key it sets, for every key the environment can set. */
    static Map<String, Leaf> variables() {
        Map<String, Leaf> out = new TreeMap<>();
        for (Leaf leaf : ConfigKeys.leaves()) {
            if (leaf.key().fromEnvironment()) out.put(ConfigKeys.envName(leaf.path()), leaf);
        }
        return out;
    }

    private EnvOverrides() {}

    /**
     * Writes the variables set in {@code env} over the YAML tree.
     *
     * @return warnings for {@code STREAMWATCH_} variables that match no key (a typo is ignored, not
     *     fatal)
     */
    static List<String> apply(ObjectNode root, Map<String, String> env) {
        Map<String, Leaf> variables = variables();
        for (Map.Entry<String, Leaf> v : variables.entrySet()) {
            String value = env.get(v.getKey());
            if (value != null) set(root, v.getValue(), value);
        }
        List<String> warnings = new ArrayList<>();
        env.keySet().stream()
                .sorted()
                .filter(
                        n ->
                                n.startsWith(ConfigKeys.ENV_PREFIX)
                                        && !variables.containsKey(n)
                                        && !NOT_KEYS.contains(n))
                .forEach(
                        n -> {
                            String guess = ConfigKeys.closest(n, variables.keySet());
                            warnings.add(
                                    "environment variable "
                                            + n
                                            + " matches no configuration key and is ignored"
                                            + (guess == null
                                                    ? ""
                                                    : "; did you mean " + guess + "?"));
                        });
        return warnings;
    }

    private static void set(ObjectNode root, Leaf leaf, String value) {
        String[] parts = leaf.path().split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        String key = parts[parts.length - 1];
        if (leaf.key().shape() == Shape.LIST) {
            ArrayNode list = node.putArray(key);
            for (String part : value.split(",")) {
                if (!part.isBlank()) list.add(part.trim());
            }
        } else {
            node.put(key, value);
        }
    }
}
