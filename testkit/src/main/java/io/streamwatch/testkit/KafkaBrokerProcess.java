package io.streamwatch.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The test Kafka broker ({@code e2e/kafka-broker}, {@code io.streamwatch.testkafka.EmbeddedKafka}:
 * a real single-node KRaft broker) as a child JVM. It is Scala 2.13 and must never share a
 * classpath with Spark's Scala 2.12, which is why it is a module of its own and this kit only
 * starts it: with the classpath that module wrote at build time ({@code target/classpath.txt}) plus
 * its classes. The broker watches its standard input and stops when this JVM goes away; it writes
 * its bootstrap servers to a ready file once it answers.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private final ChildProcess process;
    private final Path readyFile;
    private final Duration grace;
    private volatile String bootstrapServers;

    private KafkaBrokerProcess(
            ChildProcess process, Path readyFile, String bootstrapServers, Duration grace) {
        this.process = process;
        this.readyFile = readyFile;
        this.bootstrapServers = bootstrapServers;
        this.grace = grace;
    }

    /** A broker with its data and log in {@code dir}. */
    public static Builder in(Path dir) {
        return new Builder(dir);
    }

    public static final class Builder {
        private final Path dir;
        private Path target;
        private List<String> jvmArgs = List.of("-Xmx512m");
        private boolean fixedPort;
        private boolean ownSession;
        private Duration grace = Duration.ofSeconds(20);
        private Duration readyTimeout = Duration.ofSeconds(60);

        private Builder(Path dir) {
            this.dir = dir.toAbsolutePath();
        }

        /**
         * The broker module's build output (default: the {@code streamwatch.kafka.broker.target}
         * system property).
         */
        public Builder target(Path brokerTarget) {
            this.target = brokerTarget;
            return this;
        }

        public Builder jvmArgs(String... args) {
            this.jvmArgs = List.of(args);
            return this;
        }

        /**
         * Free ports chosen here rather than by the broker: {@link #bootstrapServers()} is known as
         * soon as it is launched, so others can start alongside it.
         */
        public Builder portsChosenUpFront() {
            this.fixedPort = true;
            return this;
        }

        /** Its own session: a Ctrl-C in the terminal reaches only this JVM. */
        public Builder ownSession() {
            this.ownSession = true;
            return this;
        }

        /** How long it gets to stop cleanly on close (default 20 s). */
        public Builder stopGrace(Duration grace) {
            this.grace = grace;
            return this;
        }

        /** How long {@link #start()} waits for it (default 60 s). */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Starts it without waiting; {@link KafkaBrokerProcess#awaitReady} waits. */
        public KafkaBrokerProcess launch() throws IOException {
            Files.createDirectories(dir);
            Path readyFile = dir.resolve("kafka.ready");
            Files.deleteIfExists(readyFile);
            int port = fixedPort ? Loopback.freePort() : 0;
            int controllerPort = 0;
            if (fixedPort) {
                controllerPort = Loopback.freePort();
                while (controllerPort == port) controllerPort = Loopback.freePort();
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Loopback.java());
            cmd.addAll(jvmArgs);
            cmd.addAll(
                    List.of(
                            "-cp",
                            classpath(target),
                            "io.streamwatch.testkafka.EmbeddedKafka",
                            dir.resolve("data").toString(),
                            String.valueOf(port),
                            String.valueOf(controllerPort),
                            "--exit-on-stdin-eof",
                            "--ready-file",
                            readyFile.toString()));
            ChildProcess.Builder b =
                    ChildProcess.command("the Kafka broker", cmd).log(dir.resolve("kafka.log"));
            if (ownSession) b.ownSession();
            return new KafkaBrokerProcess(
                    b.start(), readyFile, fixedPort ? Loopback.HOST + ":" + port : null, grace);
        }

        /** Starts it and returns once it answers. */
        public KafkaBrokerProcess start() throws IOException {
            KafkaBrokerProcess k = launch();
            try {
                k.awaitReady(readyTimeout);
                return k;
            } catch (RuntimeException | Error e) {
                k.process.stop(Duration.ofSeconds(5));
                throw e;
            }
        }
    }

    /** The broker module's {@code classpath.txt} plus its classes. */
    public static String classpath(Path brokerTarget) {
        Path target =
                brokerTarget != null
                        ? brokerTarget
                        : Path.of(
                                System.getProperty(
                                        "streamwatch.kafka.broker.target",
                                        "e2e/kafka-broker/target"));
        Path file = target.resolve("classpath.txt");
        Path classes = target.resolve("classes");
        if (!Files.isRegularFile(file) || !Files.isDirectory(classes)) {
            throw new IllegalStateException(
                    "the test Kafka broker is not built ("
                            + file.toAbsolutePath()
                            + " is missing): "
                            + "mvn -pl e2e/kafka-broker package (./run-tests.sh, bench/run.sh and ./run-demo.sh build it)");
        }
        try {
            return Files.readString(file).trim() + File.pathSeparator + classes.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the broker answers (it has written its ready file). */
    public void awaitReady(Duration timeout) {
        bootstrapServers =
                process.awaitReady(
                        timeout,
                        Duration.ofMillis(100),
                        "to answer",
                        () -> {
                            String text = ChildProcess.read(readyFile).trim();
                            return text.isEmpty() ? null : text;
                        });
    }

    /** {@code host:port}; null for a broker that chose its own ports until it is ready. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public ChildProcess process() {
        return process;
    }

    /** SIGTERM: the broker's shutdown hook stops it cleanly; SIGKILL after the grace period. */
    @Override
    public void close() {
        process.stop(grace);
    }
}
