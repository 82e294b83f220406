package io.streamwatch.service;

import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.service.rules.Rule;
import io.streamwatch.service.state.AppWindow;
import java.util.List;
import java.util.Map;

/** The service's built-in rules with the default configuration, for tests in other packages. */
public final class StreamwatchServiceRules {
    private StreamwatchServiceRules() {}

    public static List<Rule<AppWindow>> defaults() {
        return io.streamwatch.service.rules.BuiltInRules.apps(
                ConfigLoader.load(null, Map.of()).config().alerting());
    }
}
