package io.streamwatch.testkafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft combined mode (broker and controller in one process) on
 * loopback, for tests and the demo. Not a fake: the same {@code KafkaRaftServer} {@code
 * kafka-server-start.sh} runs, with replication factors of 1 and small buffers.
 *
 * <p>In-process: {@code EmbeddedKafka k = EmbeddedKafka.start(dir)}, {@link #bootstrapServers()},
 * {@link #stop()}, {@link #restart()} (same ports, same data). As a child JVM (needed wherever
 * Spark's Scala 2.12 is on the classpath, since the broker is Scala 2.13): {@code java -cp "$(cat
 * target/classpath.txt):target/classes" io.streamwatch.testkafka.EmbeddedKafka DIR [PORT
 * [CONTROLLER_PORT]] [--exit-on-stdin-eof] [--ready-file FILE]}, which prints {@code KAFKA READY
 * <bootstrap servers>} once the broker answers and writes them to the ready file ({@code
 * io.streamwatch.testkit.KafkaBrokerProcess} starts it so).
 *
 * <p>Not thread-safe; one owner starts and stops it.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** Printed by {@link #main} once the broker answers, followed by the bootstrap servers. */
    public static final String READY = "KAFKA READY ";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Properties props;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.props = properties(dir, port, controllerPort);
    }

    /**
     * Formats {@code dir} (if new) and starts a broker on free loopback ports; returns once it
     * answers.
     */
    public static EmbeddedKafka start(Path dir) {
        return start(dir, 0, 0);
    }

    /**
     * Formats {@code dir} (if new) and starts a broker on {@code port} with its controller on
     * {@code controllerPort} (0: a free port); returns once it answers. A directory a broker ran in
     * before is reused with its topics and offsets, provided the ports are the same.
     */
    public static EmbeddedKafka start(Path dir, int port, int controllerPort) {
        int p = port == 0 ? freePort() : port;
        int c = controllerPort == 0 ? freePort(p) : controllerPort;
        EmbeddedKafka k = new EmbeddedKafka(dir.toAbsolutePath(), p, c);
        k.format();
        k.restart();
        return k;
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dir() {
        return dir;
    }

    public boolean running() {
        return server != null;
    }

    /**
     * Starts the broker again (after {@link #stop()}) on the same ports and data; returns once it
     * answers.
     */
    public EmbeddedKafka restart() {
        if (server != null)
            throw new IllegalStateException("broker already running on " + bootstrapServers());
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        s.startup();
        server = s;
        awaitReady();
        return this;
    }

    /** Stops the broker cleanly and waits until it has; the port is free afterwards. Idempotent. */
    public void stop() {
        KafkaRaftServer s = server;
        if (s == null) return;
        server = null;
        s.shutdown();
        s.awaitShutdown();
    }

    @Override
    public void close() {
        stop();
    }

    private void format() {
        if (Files.exists(dir.resolve("logs").resolve("meta.properties"))) return;
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("server.properties");
            try (var out = Files.newOutputStream(config)) {
                props.store(out, "Streamwatch test broker");
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            int rc =
                    StorageTool.execute(
                            new String[] {
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                config.toString()
                            },
                            new PrintStream(text, true, StandardCharsets.UTF_8));
            if (rc != 0)
                throw new IllegalStateException(
                        "formatting "
                                + dir
                                + " failed ("
                                + rc
                                + "): "
                                + text.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker's directory " + dir, e);
        }
    }

    private void awaitReady() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(p)) {
            while (System.nanoTime() < deadline) {
                try {
                    for (Node n : admin.describeCluster().nodes().get(2, TimeUnit.SECONDS)) {
                        if (n.port() == port) return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                } catch (Exception e) {
                    last = e;
                }
                sleep(100);
            }
        }
        throw new IllegalStateException(
                "the broker on " + bootstrapServers() + " did not answer within " + START_TIMEOUT,
                last);
    }

    static Properties properties(Path dir, int port, int controllerPort) {
        Properties p = new Properties();
        p.putAll(
                Map.ofEntries(
                        Map.entry("process.roles", "broker,controller"),
                        Map.entry("node.id", "1"),
                        Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                        Map.entry(
                                "listeners",
                                "PLAINTEXT://127.0.0.1:"
                                        + port
                                        + ",CONTROLLER://127.0.0.1:"
                                        + controllerPort),
                        Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
                        Map.entry("controller.listener.names", "CONTROLLER"),
                        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                        Map.entry(
                                "listener.security.protocol.map",
                                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                        Map.entry("log.dirs", dir.resolve("logs").toString()),
                        Map.entry("num.partitions", "1"),
                        Map.entry("default.replication.factor", "1"),
                        Map.entry("offsets.topic.replication.factor", "1"),
                        Map.entry("offsets.topic.num.partitions", "1"),
                        Map.entry("transaction.state.log.replication.factor", "1"),
                        Map.entry("transaction.state.log.min.isr", "1"),
                        Map.entry("group.initial.rebalance.delay.ms", "0"),
                        // The cleaner's default 128 MiB dedupe buffer would dominate a test JVM's
                        // heap.
                        Map.entry("log.cleaner.dedupe.buffer.size", "2097152"),
                        Map.entry("num.network.threads", "2"),
                        Map.entry("num.io.threads", "2"),
                        Map.entry("background.threads", "2"),
                        Map.entry("auto.create.topics.enable", "false")));
        return p;
    }

    private static int freePort(int... avoid) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                if (avoid.length == 0 || p != avoid[0]) return p;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free loopback port", e);
            }
        }
        throw new IllegalStateException("cannot find a free loopback port");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * {@code EmbeddedKafka DIR [PORT [CONTROLLER_PORT]] [--exit-on-stdin-eof] [--ready-file FILE]}:
     * runs a broker until killed (SIGTERM stops it cleanly). With {@code --exit-on-stdin-eof} it
     * also stops when its standard input closes, so a broker started by a test dies with the test's
     * JVM. With {@code --ready-file} it writes the bootstrap servers to FILE once the broker
     * answers (to a temporary file, then renamed: a reader never sees half of it).
     */
    public static void main(String[] args) throws Exception {
        boolean stdinWatch = false;
        Path readyFile = null;
        java.util.List<String> positional = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--exit-on-stdin-eof")) stdinWatch = true;
            else if (args[i].equals("--ready-file") && i + 1 < args.length)
                readyFile = Path.of(args[++i]).toAbsolutePath();
            else positional.add(args[i]);
        }
        if (positional.isEmpty() || positional.size() > 3) {
            System.err.println(
                    "usage: EmbeddedKafka DIR [PORT [CONTROLLER_PORT]] [--exit-on-stdin-eof] [--ready-file FILE]");
            System.exit(2);
        }
        Path dir = Path.of(positional.get(0));
        int port = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 0;
        int controllerPort = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 0;
        EmbeddedKafka kafka = start(dir, port, controllerPort);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop, "embedded-kafka-stop"));
        System.out.println(
                READY + kafka.bootstrapServers() + " controller=" + kafka.controllerPort());
        System.out.flush();
        if (readyFile != null) {
            Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
            Files.writeString(tmp, kafka.bootstrapServers() + "\n");
            Files.move(
                    tmp,
                    readyFile,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        if (stdinWatch) {
            InputStream in = System.in;
            while (in.read() != -1) {
                // Anything written to stdin is ignored; only its end matters.
            }
            System.exit(0);
        }
        Thread.currentThread().join();
    }
}
