package io.streamwatch.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test Kafka broker (e2e/kafka-broker, {@code io.streamwatch.testkafka.EmbeddedKafka}) as a
 * child JVM: its Scala 2.13 must not share a classpath with Spark's Scala 2.12. The classpath is
 * the one the broker module wrote at build time ({@code target/classpath.txt}) plus its classes.
 * The child watches its standard input and stops when this JVM goes away.
 */
final class KafkaBrokerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("KAFKA READY (\\S+)");

    final Path log;
    final String bootstrapServers;
    private final Process process;

    private KafkaBrokerProcess(Process process, Path log, String bootstrapServers) {
        this.process = process;
        this.log = log;
        this.bootstrapServers = bootstrapServers;
    }

    /** The broker module's build output, from the {@code streamwatch.kafka.broker.target} system property. */
    static String classpath() {
        Path target = Path.of(System.getProperty("streamwatch.kafka.broker.target", "kafka-broker/target"));
        Path file = target.resolve("classpath.txt");
        Path classes = target.resolve("classes");
        if (!Files.isRegularFile(file) || !Files.isDirectory(classes)) {
            throw new IllegalStateException("the test broker is not built (" + file.toAbsolutePath() + " missing): build "
                    + "e2e/kafka-broker first (mvn -pl e2e/kafka-broker package, or ./run-tests.sh builds everything)");
        }
        try {
            return Files.readString(file).trim() + java.io.File.pathSeparator + classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a broker on free loopback ports with its data in {@code dir}; returns once it answers. */
    static KafkaBrokerProcess start(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("kafka.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", classpath(), "io.streamwatch.testkafka.EmbeddedKafka", dir.resolve("data").toString(),
                "0", "0", "--exit-on-stdin-eof"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            String bootstrap = Poll.until(Duration.ofSeconds(60), "the Kafka broker to be ready (log " + log + ")", () -> {
                String out = ServiceProcess.read(log);
                Matcher m = READY.matcher(out);
                if (m.find()) return m.group(1);
                if (!p.isAlive()) throw new AssertionError("broker exited with " + p.exitValue() + ": " + out);
                return null;
            });
            return new KafkaBrokerProcess(p, log, bootstrap);
        } catch (RuntimeException | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: the broker's shutdown hook stops it cleanly
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
