package io.streamwatch.service;

import io.streamwatch.service.config.ConfigException;
import io.streamwatch.service.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar streamwatch-service.jar [--config FILE] [--port-file FILE]}. Exit code 2 on bad
 * arguments or configuration, 78 on a damaged state store (an operator must restore or move it), 1
 * on other start failures (worth a retry).
 */
public final class Main {
    private static final String USAGE =
            "usage: java -jar streamwatch-service.jar [--config FILE] [--check-config] [--port-file FILE]\n"
                    + "  Without --config the defaults apply (port 9470); STREAMWATCH_* environment variables override any key.\n"
                    + "  --check-config validates the configuration (and the files it names), prints a summary and exits:\n"
                    + "  0 when it is usable, 2 when not. Nothing is started.\n"
                    + "  --port-file FILE writes the port the service listens on (useful with server.port 0) to FILE once it\n"
                    + "  accepts connections: the number alone, written to a temporary file and renamed, so FILE is never partial.";

    private Main() {}

    public static void main(String[] args) {
        Path configFile = null;
        Path portFile = null;
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--check-config" -> checkOnly = true;
                case "--config" -> {
                    if (i + 1 >= args.length) fail("--config needs a file path\n" + USAGE);
                    configFile = Path.of(args[++i]);
                }
                case "--port-file" -> {
                    if (i + 1 >= args.length) fail("--port-file needs a file path\n" + USAGE);
                    portFile = Path.of(args[++i]);
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
            fail(
                    e.getMessage()
                            + "\nFix the configuration"
                            + (configFile == null ? "" : " in " + configFile)
                            + " and start again.");
            return;
        }
        if (checkOnly) {
            loaded.warnings().forEach(w -> System.out.println("warning: " + w));
            System.out.println(
                    "configuration OK" + (configFile == null ? " (defaults)" : ": " + configFile));
            System.out.println(summary(loaded.config()));
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        loaded.warnings().forEach(log::warn);
        StreamwatchService service;
        try {
            service = new StreamwatchService(loaded.config(), Clock.systemUTC()).start();
        } catch (ConfigException e) {
            fail(
                    e.getMessage()
                            + "\nFix the configuration"
                            + (configFile == null ? "" : " in " + configFile)
                            + " and start again.");
            return;
        } catch (io.streamwatch.service.store.StoreDamagedException e) {
            // Exit 78 (EX_CONFIG): a damaged store needs an operator; a restart loop cannot help.
            System.err.println("streamwatch: " + e.getMessage());
            System.exit(io.streamwatch.service.store.StoreDamagedException.EXIT_CODE);
            return;
        } catch (io.streamwatch.service.store.StoreException e) {
            // Exit 1, not 2: a directory still locked by a stopping service is worth a retry.
            System.err.println("streamwatch: " + e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            log.error("Streamwatch could not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "streamwatch-shutdown"));
        if (portFile != null) {
            try {
                writePortFile(portFile, service.port());
            } catch (IOException e) {
                log.error("Streamwatch could not write --port-file {}: {}", portFile, e.toString());
                System.exit(1);
            }
        }
    }

    /**
     * The port alone, written next to {@code file} and renamed onto it, so a reader never sees a
     * partial file.
     */
    static void writePortFile(Path file, int port) throws IOException {
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, port + "\n");
        try {
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** What the configuration amounts to, without secrets. */
    static String summary(io.streamwatch.service.config.ServiceConfig c) {
        return "  listen "
                + c.server().host()
                + ":"
                + c.server().port()
                + (c.server().tls() == null ? " (http)" : " (https)")
                + "\n  storage "
                + c.storage().dir()
                + ", "
                + c.storage().historyBatches()
                + " batches per app"
                + "\n  ingest "
                + c.ingest().tokens().values().size()
                + " token(s)"
                + (c.ingest().allowUnauthenticated() ? ", OPEN" : "")
                + "\n  alert receivers "
                + c.alerting().receivers().stream()
                        .map(io.streamwatch.service.config.ServiceConfig.Receiver::type)
                        .toList()
                + "\n  spark targets "
                + c.spark().targets().size()
                + ", kafka "
                + (c.kafka().bootstrapServers() == null ? "off" : c.kafka().bootstrapServers());
    }

    private static void fail(String message) {
        System.err.println("streamwatch: " + message);
        System.exit(2);
    }
}
