package io.streamwatch.demo;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The single-node KRaft broker of {@code e2e/kafka-broker} ({@code io.streamwatch.testkafka.EmbeddedKafka})
 * in a child JVM: it is Scala 2.13 and must not share a classpath with Spark's Scala 2.12. It runs
 * with {@code --exit-on-stdin-eof}, so it dies with the demo.
 */
final class KafkaBroker implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("KAFKA READY (\\S+)");

    final String bootstrapServers;
    private final ChildProcess process;

    private KafkaBroker(ChildProcess process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the broker on free loopback ports without waiting: its address is known at once, so the
     * service can start alongside. {@link #awaitReady()} waits until it answers.
     */
    static KafkaBroker launch(Path brokerTarget, Path dir) throws IOException {
        int port = freePort();
        int controllerPort = freePort();
        while (controllerPort == port) controllerPort = freePort();
        List<String> cmd = List.of(ChildProcess.java(), "-Xmx384m", "-XX:+UseSerialGC", "-cp", classpath(brokerTarget),
                "io.streamwatch.testkafka.EmbeddedKafka", dir.resolve("data").toString(), String.valueOf(port),
                String.valueOf(controllerPort), "--exit-on-stdin-eof");
        return new KafkaBroker(ChildProcess.start("the Kafka broker", cmd, dir.resolve("kafka.log")), "127.0.0.1:" + port);
    }

    void awaitReady() throws InterruptedException {
        process.awaitLine(READY, Duration.ofSeconds(60));
    }

    ChildProcess process() {
        return process;
    }

    /** The broker module's build output: {@code target/classpath.txt} plus {@code target/classes}. */
    static String classpath(Path brokerTarget) {
        Path file = brokerTarget.resolve("classpath.txt");
        Path classes = brokerTarget.resolve("classes");
        if (!Files.isRegularFile(file) || !Files.isDirectory(classes)) {
            throw new IllegalStateException("the demo's Kafka broker is not built (" + file.toAbsolutePath() + " is missing); "
                    + "start the demo with ./run-demo.sh, which builds it");
        }
        try {
            return Files.readString(file).trim() + File.pathSeparator + classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }
}
