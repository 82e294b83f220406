package io.streamwatch.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import javax.net.ssl.SSLContext;

/**
 * The real service, {@code java -jar streamwatch-service.jar --config FILE --port-file FILE} in its
 * own JVM as an operator runs it, on loopback, token-protected, its state in {@code DIR/data}. It
 * learns the port the service bound from {@code --port-file}, then waits for {@code /readyz}.
 *
 * <pre>{@code
 * try (ServiceProcess s = ServiceProcess.in(dir).token("t").yaml("alerting: {...}\n").start()) { ... }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String token;
    private final String readerToken;
    private final ChildProcess process;
    private final String scheme;
    private final int port;
    private final HttpClient http;
    private final Duration requestTimeout;

    private ServiceProcess(Builder b, ChildProcess process, int port) {
        this.dir = b.dir;
        this.token = b.token;
        this.readerToken = b.readerToken();
        this.process = process;
        this.scheme = b.certFile == null ? "http" : "https";
        this.port = port;
        this.http = b.client();
        this.requestTimeout = b.requestTimeout;
    }

    /**
     * A service with its configuration, log and port file in {@code dir} and its state in {@code
     * dir/data}.
     */
    public static Builder in(Path dir) {
        return new Builder(dir);
    }

    /**
     * The common case: a free port, one token, {@code yaml} after the base configuration; returns
     * once ready.
     */
    public static ServiceProcess start(Path dir, String token, String yaml) throws IOException {
        return in(dir).token(token).yaml(yaml).start();
    }

    /**
     * The service jar: the {@code streamwatch.service.jar} system property, else {@code
     * monitor-service/target/streamwatch-service.jar} from the repository root or a module beside
     * it.
     */
    public static Path jar() {
        String property = System.getProperty("streamwatch.service.jar");
        List<Path> candidates =
                property != null
                        ? List.of(Path.of(property))
                        : List.of(
                                Path.of("monitor-service/target/streamwatch-service.jar"),
                                Path.of("../monitor-service/target/streamwatch-service.jar"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) return p.toAbsolutePath();
        }
        throw new IllegalStateException(
                "service jar "
                        + candidates.get(0).toAbsolutePath()
                        + " is missing: build it first "
                        + "(mvn -pl monitor-service -am -DskipTests package; ./run-tests.sh, bench/run.sh and ./run-demo.sh build it)");
    }

    public static final class Builder {
        private final Path dir;
        private Path jar;
        private String token = "test-token";
        private String readerToken;
        private int port;
        private Path certFile;
        private Path keyFile;
        private SSLContext trust;
        private String yaml = "";
        private List<String> jvmArgs = List.of("-Xmx512m");
        private Duration requestTimeout = Duration.ofSeconds(10);
        private boolean exitWithParent;

        private Builder(Path dir) {
            this.dir = dir.toAbsolutePath();
        }

        public Builder jar(Path serviceJar) {
            this.jar = serviceJar;
            return this;
        }

        /**
         * The one ingest token, also the reader token sent by {@link #get} unless {@link
         * #readerToken} is given (default {@code test-token}).
         */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /**
         * 0 (the default): a free port. The same dir and port again is the same service restarted.
         */
        /** A reader token of its own (the ingest token then only writes), sent by {@link #get}. */
        public Builder readerToken(String readerToken) {
            this.readerToken = readerToken;
            return this;
        }

        private String readerToken() {
            return readerToken == null ? token : readerToken;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * {@code server.tls} with these PEM files; spoken to by a client trusting {@code trust}.
         */
        public Builder tls(Path certFile, Path keyFile, SSLContext trust) {
            this.certFile = certFile;
            this.keyFile = keyFile;
            this.trust = trust;
            return this;
        }

        /**
         * {@code server.tls} from {@code cert}, spoken to by a client trusting only that
         * certificate.
         */
        public Builder tls(SelfSignedCert cert) {
            return tls(cert.certFile(), cert.keyFile(), cert.trustingContext());
        }

        /**
         * More configuration, appended to the server, storage and ingest lines (must not repeat
         * those keys).
         */
        public Builder yaml(String yaml) {
            this.yaml = yaml;
            return this;
        }

        /** The service JVM's flags (default {@code -Xmx512m}). */
        public Builder jvmArgs(String... args) {
            this.jvmArgs = List.of(args);
            return this;
        }

        /** How long one request may take (default 10 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Started through {@link ExitWithParent} in its own session: it exits when this JVM is gone
         * (even killed outright), and a Ctrl-C in the terminal reaches only this JVM.
         */
        public Builder exitWithParent() {
            this.exitWithParent = true;
            return this;
        }

        private HttpClient client() {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
            if (trust != null) b.sslContext(trust);
            return b.build();
        }

        /**
         * Writes the configuration and starts the jar, without waiting (tests of startup failures
         * look at this).
         */
        public ChildProcess launch() throws IOException {
            return launchWith(log());
        }

        /** Starts the service; returns once it listens and {@code /readyz} answers 200. */
        public ServiceProcess start() throws IOException {
            Path log = log();
            Path portFile = portFile(log);
            ChildProcess p = launchWith(log);
            try {
                int bound =
                        p.awaitReady(
                                Duration.ofSeconds(60),
                                Duration.ofMillis(50),
                                "to write its port to " + portFile,
                                () -> readPort(portFile));
                ServiceProcess s = new ServiceProcess(this, p, bound);
                p.awaitReady(
                        Duration.ofSeconds(30),
                        Duration.ofMillis(100),
                        "to answer /readyz",
                        () -> s.status("/readyz") == 200 ? true : null);
                return s;
            } catch (RuntimeException | Error e) {
                p.stop(Duration.ofSeconds(5));
                throw e;
            }
        }

        private ChildProcess launchWith(Path log) throws IOException {
            Files.createDirectories(dir);
            Path config = dir.resolve("streamwatch.yaml");
            Files.writeString(
                    config,
                    "# Written by the Streamwatch test kit.\n"
                            + server()
                            + "storage: { dir: "
                            + quoted(dir.resolve("data").toString())
                            + " }\n"
                            + "ingest: { tokens: ["
                            + quoted(token)
                            + "] }\n"
                            // get() and json() read with it: an ingest token only writes
                            + "api: { tokens: ["
                            + quoted(readerToken())
                            + "] }\n"
                            + yaml);
            Path serviceJar = jar == null ? ServiceProcess.jar() : jar.toAbsolutePath();
            if (!Files.isRegularFile(serviceJar)) {
                throw new IllegalStateException(
                        "service jar " + serviceJar + " is missing: build it first");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Loopback.java());
            cmd.addAll(jvmArgs);
            if (exitWithParent) {
                cmd.addAll(
                        List.of(
                                "-cp",
                                serviceJar + File.pathSeparator + ChildProcess.kitClasspath(),
                                ExitWithParent.class.getName(),
                                mainClass(serviceJar)));
            } else {
                cmd.addAll(List.of("-jar", serviceJar.toString()));
            }
            cmd.addAll(
                    List.of(
                            "--config",
                            config.toString(),
                            "--port-file",
                            portFile(log).toString()));
            ChildProcess.Builder b = ChildProcess.command("the Streamwatch service", cmd).log(log);
            if (exitWithParent) b.ownSession();
            return b.start();
        }

        private String server() {
            String tls =
                    certFile == null
                            ? ""
                            : ", tls: { certFile: "
                                    + quoted(certFile.toString())
                                    + ", keyFile: "
                                    + quoted(keyFile.toString())
                                    + " }";
            return "server: { host: " + Loopback.HOST + ", port: " + port + tls + " }\n";
        }

        /**
         * {@code service.log}, or {@code service-2.log}, ... when a service ran in this dir before;
         * the port file beside it.
         */
        private Path log() {
            Path log = dir.resolve("service.log");
            for (int n = 2; Files.exists(log); n++) log = dir.resolve("service-" + n + ".log");
            return log;
        }

        private static Path portFile(Path log) {
            return log.resolveSibling(log.getFileName().toString().replace(".log", ".port"));
        }
    }

    private static Integer readPort(Path portFile) {
        String text = ChildProcess.read(portFile).trim();
        return text.isEmpty() ? null : Integer.valueOf(text);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String mainClass(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest().getMainAttributes().getValue("Main-Class");
        }
    }

    public Path dir() {
        return dir;
    }

    public String token() {
        return token;
    }

    public int port() {
        return port;
    }

    public String url() {
        return scheme + "://" + Loopback.HOST + ":" + port;
    }

    public ChildProcess process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code GET path} with the reader token. */
    public HttpResponse<String> get(String path) {
        return Http.send(
                http,
                HttpRequest.newBuilder(URI.create(url() + path))
                        .header("Authorization", "Bearer " + readerToken)
                        .timeout(requestTimeout)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST /api/v1/events} of {@code json} with the ingest token, as the listener sends. */
    public HttpResponse<String> ingest(String json) {
        return Http.send(
                http,
                HttpRequest.newBuilder(URI.create(url() + "/api/v1/events"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .timeout(requestTimeout)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@link #ingest(String)} of {@code events.json()}. */
    public HttpResponse<String> ingest(Events events) {
        return ingest(events.json());
    }

    /** The status of {@code GET path}, -1 when the service does not answer. */
    public int status(String path) {
        try {
            return get(path).statusCode();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    /** {@code GET path} as JSON; anything but 200 is an IllegalStateException. */
    public JsonNode json(String path) {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200)
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        return Http.json(r.body());
    }

    /** {@code /api/v1/apps/{app}/batches?limit=N}: the array. */
    public JsonNode batches(String app, int limit) {
        return json("/api/v1/apps/" + encode(app) + "/batches?limit=" + limit).get("batches");
    }

    /** {@code GET /metrics}. */
    public String metrics() {
        return get("/metrics").body();
    }

    /**
     * The value of the first sample of {@code name} in Prometheus text whose label text contains
     * {@code labelFilter} (null: any); NaN when there is none.
     */
    public static double sample(String metricsText, String name, String labelFilter) {
        for (String line : metricsText.split("\n")) {
            if (line.startsWith(name)
                    && line.length() > name.length()
                    && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && (labelFilter == null || line.contains(labelFilter))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** Everything the service logged so far. */
    public String log() {
        return process.output();
    }

    /** An app key as one URL path segment. */
    public static String encode(String app) {
        return URLEncoder.encode(app, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** kill -9: no shutdown hook, no flush, whatever was in memory is gone. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** SIGTERM (the service closes cleanly), SIGKILL after 15 s. */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(15));
    }
}
