package io.streamwatch.service;

import io.streamwatch.service.config.ConfigException;
import io.streamwatch.service.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar streamwatch-service.jar [--config FILE]}. Exit code 2 on bad arguments or configuration. */
public final class Main {
    private static final String USAGE = "usage: java -jar streamwatch-service.jar [--config FILE]\n"
            + "  Without --config the defaults apply (port 9470); STREAMWATCH_* environment variables override any key.";

    private Main() {}

    public static void main(String[] args) {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) fail("--config needs a file path\n" + USAGE);
                    configFile = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> fail("unknown argument '" + args[i] + "'\n" + USAGE);
            }
        }
        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            fail(e.getMessage() + "\nFix the configuration" + (configFile == null ? "" : " in " + configFile) + " and start again.");
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        loaded.warnings().forEach(log::warn);
        StreamwatchService service;
        try {
            service = new StreamwatchService(loaded.config(), Clock.systemUTC()).start();
        } catch (RuntimeException e) {
            log.error("Streamwatch could not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "streamwatch-shutdown"));
    }

    private static void fail(String message) {
        System.err.println("streamwatch: " + message);
        System.exit(2);
    }
}
