package io.streamwatch.testkit.spark;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.ChildProcess;
import io.streamwatch.testkit.Loopback;
import io.streamwatch.testkit.ServiceProcess;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link SparkLineDriver} in its own JVM on one {@link SparkLine}'s classpath plus the listener
 * jar, the listener attached only by configuration ({@code spark.extraListeners} and {@code
 * spark.streamwatch.*}, given as {@code -D} like spark-submit's {@code --conf}). The test sends
 * commands and reads Spark's own ground truth back.
 *
 * <pre>{@code
 * try (SparkLineDriverProcess d = SparkLineDriverProcess.on(line, dir).app("a").service(url, token).start()) {
 *     d.command("query rates triggerMs=1000 rows=2");
 *     d.await(Duration.ofSeconds(60), "3 micro-batches", e -> d.microBatches("rates").size() >= 3);
 * }
 * }</pre>
 */
public final class SparkLineDriverProcess implements AutoCloseable {
    private final SparkLine line;
    private final ChildProcess child;
    private final OutputStream stdin;
    private JsonNode ready;

    private SparkLineDriverProcess(SparkLine line, ChildProcess child) {
        this.line = line;
        this.child = child;
        this.stdin = child.process().getOutputStream();
    }

    /** A driver on {@code line}, its log and checkpoints in {@code dir}. */
    public static Builder on(SparkLine line, Path dir) {
        return new Builder(line, dir);
    }

    public static final class Builder {
        private final SparkLine line;
        private final Path dir;
        private final Map<String, String> conf = new LinkedHashMap<>();
        private String master = "local[3]";

        private Builder(SparkLine line, Path dir) {
            this.line = line;
            this.dir = dir.toAbsolutePath();
        }

        /** {@code spark.app.name} and the Streamwatch app key. */
        public Builder app(String app) {
            conf.put("spark.app.name", app);
            conf.put("spark.streamwatch.app", app);
            return this;
        }

        /**
         * The listener by {@code spark.extraListeners}, shipping to {@code url} with {@code token}.
         */
        public Builder service(String url, String token) {
            conf.put("spark.extraListeners", "io.streamwatch.listener.StreamwatchListener");
            conf.put("spark.streamwatch.url", url);
            conf.put("spark.streamwatch.token", token);
            conf.put("spark.streamwatch.heartbeatIntervalMs", "1000");
            return this;
        }

        /** Any other Spark configuration (as {@code --conf key=value}). */
        public Builder conf(String key, String value) {
            conf.put(key, value);
            return this;
        }

        /** The master (default {@code local[3]}: a receiver and two task slots). */
        public Builder master(String master) {
            this.master = master;
            return this;
        }

        /** Starts it; returns once its SparkSession runs. */
        public SparkLineDriverProcess start() throws IOException {
            Files.createDirectories(dir);
            Path log4j = dir.resolve("log4j2-driver.properties");
            Files.writeString(
                    log4j,
                    String.join(
                            "\n",
                            "rootLogger.level = warn",
                            "rootLogger.appenderRef.stderr.ref = console",
                            "appender.console.type = Console",
                            "appender.console.name = console",
                            "appender.console.target = SYSTEM_ERR",
                            "appender.console.layout.type = PatternLayout",
                            "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n",
                            "logger.streamwatch.name = io.streamwatch",
                            "logger.streamwatch.level = info",
                            ""));
            conf.putIfAbsent(
                    "spark.sql.streaming.checkpointLocation",
                    dir.resolve("checkpoints").toString());
            List<String> cmd = new ArrayList<>(List.of(Loopback.java(), "-Xmx768m"));
            cmd.addAll(
                    Arrays.asList(
                            System.getProperty("streamwatch.spark.jvm.args", "")
                                    .trim()
                                    .split("\\s+")));
            cmd.add("-Dlog4j2.configurationFile=" + log4j.toUri());
            conf.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(
                    List.of(
                            "-cp",
                            String.join(
                                    File.pathSeparator,
                                    line.classpath(),
                                    listenerJar().toString(),
                                    ChildProcess.kitClasspath()),
                            SparkLineDriver.class.getName(),
                            master));
            ChildProcess child =
                    ChildProcess.command("the Spark " + line.id() + " driver", cmd)
                            .log(dir.resolve("driver-" + line.id() + ".log"))
                            .env("SPARK_LOCAL_IP", Loopback.HOST)
                            .start();
            SparkLineDriverProcess d = new SparkLineDriverProcess(line, child);
            try {
                d.ready =
                        d.await(Duration.ofSeconds(120), "its SparkSession", e -> find(e, "ready"));
                return d;
            } catch (RuntimeException | Error e) {
                child.stop(Duration.ofSeconds(5));
                throw e;
            }
        }
    }

    private static JsonNode find(List<JsonNode> events, String event) {
        for (JsonNode e : events) if (event.equals(e.path("event").asText())) return e;
        return null;
    }

    /**
     * The listener jar: the {@code streamwatch.listener.jar} system property, else {@code
     * listener-lib/target/streamwatch-listener.jar} from the repository root or a module beside it.
     */
    public static Path listenerJar() {
        String property = System.getProperty("streamwatch.listener.jar");
        List<Path> candidates =
                property != null
                        ? List.of(Path.of(property))
                        : List.of(
                                Path.of("listener-lib/target/streamwatch-listener.jar"),
                                Path.of("../listener-lib/target/streamwatch-listener.jar"));
        for (Path p : candidates) if (Files.isRegularFile(p)) return p.toAbsolutePath();
        throw new IllegalStateException(
                "listener jar "
                        + candidates.get(0).toAbsolutePath()
                        + " is missing: build it first (mvn -pl listener-lib package)");
    }

    public SparkLine line() {
        return line;
    }

    /** The Spark application id. */
    public String appId() {
        return ready.path("appId").asText();
    }

    /** The version Spark itself reports, e.g. {@code 3.5.3}. */
    public String sparkVersion() {
        return ready.path("sparkVersion").asText();
    }

    /** The Scala library version on its classpath, e.g. {@code 2.13.8}. */
    public String scalaVersion() {
        return ready.path("scalaVersion").asText();
    }

    public ChildProcess process() {
        return child;
    }

    /**
     * Sends one command and waits until the driver has carried it out; an {@code error} answer is
     * an AssertionError with the driver's message.
     */
    public void command(String command) {
        long before = answers(command);
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode answer =
                await(
                        Duration.ofSeconds(90),
                        "an answer to '" + command + "'",
                        events -> {
                            long n = 0;
                            for (JsonNode e : events) {
                                if (isAnswer(e, command) && ++n > before) return e;
                            }
                            return null;
                        });
        if ("error".equals(answer.path("event").asText()))
            throw new AssertionError(
                    "the Spark " + line.id() + " driver failed '" + command + "': " + answer);
    }

    private long answers(String command) {
        return events().stream().filter(e -> isAnswer(e, command)).count();
    }

    private static boolean isAnswer(JsonNode e, String command) {
        String kind = e.path("event").asText();
        return (kind.equals("ok") || kind.equals("error"))
                && command.equals(e.path("command").asText());
    }

    /** Everything the driver reported so far, in order. */
    public List<JsonNode> events() {
        List<JsonNode> out = new ArrayList<>();
        for (String l : child.output().split("\n")) {
            if (!l.startsWith(SparkLineDriver.MARK)) continue;
            try {
                out.add(ServiceProcess.JSON.readTree(l.substring(SparkLineDriver.MARK.length())));
            } catch (IOException e) {
                // a line still being written
            }
        }
        return out;
    }

    /** Events of one kind ({@code progress}, {@code dstreamBatch}, ...) matching {@code filter}. */
    public List<JsonNode> events(String kind, Predicate<JsonNode> filter) {
        return events().stream()
                .filter(e -> kind.equals(e.path("event").asText()) && filter.test(e))
                .toList();
    }

    /**
     * The micro-batches Spark reported for query {@code name}: progress events that ran a batch
     * ({@code addBatch} in durationMs; Spark 3.4 also reports no-data triggers), in order.
     */
    public List<JsonNode> microBatches(String name) {
        return events(
                "progress",
                e -> name.equals(e.path("name").asText()) && e.path("addBatch").asBoolean());
    }

    /** The completed DStream batches Spark reported, in order. */
    public List<JsonNode> dstreamBatches() {
        return events("dstreamBatch", e -> true);
    }

    /**
     * The first non-null {@code probe} of the driver's events; fails with the end of its log after
     * {@code timeout} or at once if it exits.
     */
    public <T> T await(Duration timeout, String what, Function<List<JsonNode>, T> probe) {
        return child.awaitReady(timeout, Duration.ofMillis(200), what, () -> probe.apply(events()));
    }

    /** As {@link #await}, for a condition. */
    public void awaitUntil(Duration timeout, String what, Predicate<List<JsonNode>> condition) {
        await(timeout, what, e -> condition.test(e) ? Boolean.TRUE : null);
    }

    /**
     * {@code exit}: stops its queries and SparkContext (the listener's last flush), waiting up to a
     * minute; then SIGTERM. Idempotent.
     */
    @Override
    public void close() {
        if (child.alive()) {
            try {
                stdin.write("exit\n".getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                Await.until(Duration.ofSeconds(60), "the driver to exit", () -> !child.alive());
            } catch (IOException | AssertionError e) {
                // fall through to stop
            }
        }
        child.stop(Duration.ofSeconds(10));
    }
}
