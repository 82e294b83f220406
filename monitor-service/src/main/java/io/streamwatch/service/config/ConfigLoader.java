package io.streamwatch.service.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads the YAML configuration, applies {@code STREAMWATCH_*} environment overrides, and validates
 * everything at once. Every problem names its key and the bad value; all are reported together. The
 * schema is {@link ServiceConfig} itself: see {@link ConfigKeys} for how it is read.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /**
     * The loaded configuration plus non-fatal warnings (e.g. an unrecognised STREAMWATCH_
     * variable).
     */
    public record Loaded(ServiceConfig config, List<String> warnings) {}

    /**
     * @param file YAML file, or null for defaults only
     * @param env environment variables (pass {@code System.getenv()})
     * @throws ConfigException listing every problem found
     */
    public static Loaded load(Path file, Map<String, String> env) {
        Problems problems = new Problems();
        ConfigDocument document = new ConfigDocument(problems);
        ObjectNode tree = document.read(file);
        if (tree == null) throw new ConfigException(problems.list());
        List<String> warnings = EnvOverrides.apply(tree, env);
        document.prepare(tree, ServiceConfig.class, "");
        ServiceConfig config = ConfigBinder.bind(tree, problems);
        new ConfigValidator(problems).check(config, "");
        if (!problems.isEmpty()) throw new ConfigException(problems.list());
        return new Loaded(config, warnings);
    }

    /**
     * The environment variable for a key path: ("server", "port") → {@code
     * STREAMWATCH_SERVER_PORT}.
     */
    static String envName(String... path) {
        return ConfigKeys.envName(path);
    }
}
