package io.streamwatch.demo;

import io.streamwatch.testkit.KafkaBrokerProcess;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./run-demo.sh [--duration SECONDS] [--quick]}: the service, a KRaft broker, a surging
 * producer and a local Spark driver running a Spark Streaming app and a Structured Streaming query
 * side by side, all on loopback. Both read the topic and both fall behind during the surge; the
 * service pages through a webhook this process prints; they recover and the alerts resolve.
 *
 * <p>Ends cleanly after {@code --duration}, on Ctrl-C or SIGTERM (exit 0 either way): producer,
 * query, app, service and broker stopped in that order. The children also watch their standard
 * input, so they die with this JVM even when it is killed outright.
 */
public final class Demo {
    static final String TOPIC = "clicks";
    private static final Duration LIVE_EVERY = Duration.ofSeconds(5);
    private static final int WARM_UP_RECORDS = 20;
    private static final Duration WARM_UP_LIMIT = Duration.ofSeconds(90);

    private final DemoOptions options;
    private final Timeline timeline;
    private final Path serviceJar;
    private final Path brokerTarget;
    private final Console console;
    private final Object lock = new Object();
    private volatile boolean stopRequested;
    private volatile int exitCode;
    private volatile boolean finishing;
    private boolean finished;

    private Path dir;
    private WebhookPrinter webhook;
    private KafkaBrokerProcess broker;
    private ServiceProcess service;
    private StreamingApp app;
    private ClicksQuery query;
    private SurgingProducer producer;
    private long warmUpSince;
    private boolean producerStarted;
    private long firstBatchAt = -1;
    private long batchesSeen;
    private long firstMicroBatchAt = -1;
    private long microBatchesSeen;

    Demo(DemoOptions options, Path serviceJar, Path brokerTarget, Console console) {
        this.options = options;
        this.timeline = options.timeline();
        this.serviceJar = serviceJar;
        this.brokerTarget = brokerTarget;
        this.console = console;
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (DemoOptions.UsageException e) {
            System.err.println("run-demo: " + e.getMessage());
            System.err.println(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(DemoOptions.USAGE);
            return;
        }
        Demo demo =
                new Demo(
                        options,
                        Path.of(
                                System.getProperty(
                                        "streamwatch.demo.serviceJar",
                                        "monitor-service/target/streamwatch-service.jar")),
                        Path.of(
                                System.getProperty(
                                        "streamwatch.demo.brokerTarget",
                                        "e2e/kafka-broker/target")),
                        new Console(System.out, start));
        Thread main = Thread.currentThread();
        Signals.handleStop(signal -> demo.onSignal(signal, main));
        Runtime.getRuntime().addShutdownHook(new Thread(demo::onShutdown, "streamwatch-demo-stop"));
        demo.run();
        demo.finish();
        System.exit(demo.exitCode);
    }

    /**
     * Ctrl-C, SIGTERM: the main thread stops everything in order, prints the summary and exits 0. A
     * second Ctrl-C while that runs ends the demo at once (the children still go: they watch their
     * stdin).
     */
    private void onSignal(String signal, Thread main) {
        if (stopRequested) {
            console.event(signal + " again: exiting at once");
            Runtime.getRuntime().halt(130);
        }
        stopRequested = true;
        console.event(
                signal
                        + ": stopping"
                        + (signal.equals("SIGINT") ? " (Ctrl-C again to exit at once)" : "")
                        + " ...");
        if (!finishing) main.interrupt();
    }

    /**
     * Any other way the JVM shuts down (SIGHUP, for one): stop what we can, concurrently with
     * Spark's own shutdown hooks, and exit with the demo's status.
     */
    private void onShutdown() {
        stopRequested = true;
        StreamingApp.cutWorkShort();
        finish();
        System.out.flush();
        Runtime.getRuntime().halt(exitCode);
    }

    void run() {
        try {
            start();
            watch();
        } catch (Exception e) {
            if (!stopRequested) {
                exitCode = 1;
                console.plain(
                        "\nrun-demo: the demo failed: "
                                + (e.getMessage() == null ? e.toString() : e.getMessage()));
                if (dir != null) console.plain("run-demo: logs are kept in " + dir);
            }
        }
    }

    private void start() throws Exception {
        console.plain(
                "Streamwatch demo: a Spark Streaming app and a Structured Streaming query fall behind during a traffic"
                        + " surge, get paged, and recover.");
        console.event("starting the Streamwatch service and a Kafka broker on 127.0.0.1 ...");
        String token = "demo-" + HexFormat.of().formatHex(randomBytes());
        synchronized (lock) {
            dir = Files.createTempDirectory("streamwatch-demo-");
            webhook = new WebhookPrinter(console);
            broker =
                    KafkaBrokerProcess.in(dir.resolve("kafka"))
                            .target(brokerTarget)
                            .jvmArgs("-Xmx384m", "-XX:+UseSerialGC")
                            .portsChosenUpFront()
                            .ownSession()
                            .launch();
        }
        ServiceProcess s = startService(token, broker.bootstrapServers(), webhook.url());
        synchronized (lock) {
            service = s;
        }
        broker.awaitReady(Duration.ofSeconds(60));
        createTopic(broker.bootstrapServers());
        checkStop();
        console.event(
                "starting a local Spark driver (local["
                        + StreamingApp.CORES
                        + "]): the Spark Streaming app (Kafka direct stream, 1 s batches) and the query '"
                        + ClicksQuery.NAME
                        + "' (Kafka source, "
                        + ClicksQuery.TRIGGER_MS / 1000.0
                        + " s trigger) ...");
        SparkSession spark =
                SparkSession.builder()
                        .config(StreamingApp.conf(service.url(), token, dir.resolve("spark")))
                        .getOrCreate();
        StreamingApp a = StreamingApp.start(spark.sparkContext(), broker.bootstrapServers(), TOPIC);
        synchronized (lock) {
            app = a;
        }
        ClicksQuery q =
                ClicksQuery.start(
                        spark,
                        broker.bootstrapServers(),
                        TOPIC,
                        dir.resolve("spark").resolve("checkpoint-" + ClicksQuery.NAME));
        synchronized (lock) {
            query = q;
        }
        SurgingProducer.warmUp(
                broker.bootstrapServers(), TOPIC, StreamingApp.PARTITIONS, WARM_UP_RECORDS);
        warmUpSince = System.nanoTime();
        SurgingProducer p =
                new SurgingProducer(
                        broker.bootstrapServers(),
                        TOPIC,
                        StreamingApp.PARTITIONS,
                        timeline,
                        console);
        synchronized (lock) {
            producer = p;
        }
        whereToLook(token, a.uiUrl());
        console.event(
                "warming up: "
                        + WARM_UP_RECORDS
                        + " clicks sent, so that Spark plans the query and opens its Kafka consumers;"
                        + " the producer starts once the query has processed them ...");
    }

    /**
     * Starts the producer (and with it the timeline) once the query has processed the warm-up
     * clicks, or after {@link #WARM_UP_LIMIT} regardless.
     */
    private void startProducerOnceWarm() {
        if (producerStarted) return;
        boolean waitedEnough = System.nanoTime() - warmUpSince > WARM_UP_LIMIT.toNanos();
        if (!query.warm() && !waitedEnough) return;
        producerStarted = true;
        console.event(
                (waitedEnough ? "the query is still warming up" : "the query is warm")
                        + ": the producer starts, "
                        + timeline.baseRate()
                        + " records/s");
        producer.start();
    }

    /**
     * The real service jar in a child JVM, as an operator runs it: loopback, a free port, the
     * generated token, the demo's broker and webhook. Started through the kit's ExitWithParent, so
     * it dies with the demo.
     */
    private ServiceProcess startService(String token, String bootstrapServers, String webhookUrl)
            throws IOException {
        return ServiceProcess.in(dir.resolve("service"))
                .jar(serviceJar)
                .token(token)
                .jvmArgs("-Xmx256m", "-XX:+UseSerialGC")
                .requestTimeout(Duration.ofSeconds(5))
                .exitWithParent()
                .yaml(
                        """
                        alerting:
                          receivers:
                            - { type: webhook, url: "%s" }
                        spark: { restPollInterval: 2s }
                        kafka: { bootstrapServers: "%s", pollInterval: 2s }
                        """
                                .formatted(webhookUrl, bootstrapServers))
                .start();
    }

    /** {@code GET /metrics}, or null when the service does not answer. */
    private String metrics() {
        try {
            HttpResponse<String> r = service.get("/metrics");
            return r.statusCode() == 200 ? r.body() : null;
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private void checkStop() throws InterruptedException {
        if (stopRequested) throw new InterruptedException("stopping");
    }

    private void createTopic(String bootstrapServers) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, StreamingApp.PARTITIONS, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int i = 0; i < StreamingApp.PARTITIONS; i++)
                latest.put(new TopicPartition(TOPIC, i), OffsetSpec.latest());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline)
                        throw new IllegalStateException(
                                "the topic's partitions never got a leader", e);
                    Thread.sleep(100);
                }
            }
        }
    }

    private void whereToLook(String token, String sparkUi) {
        String auth = "-H 'Authorization: Bearer " + token + "'";
        console.plain("");
        console.plain("Where to look while it runs:");
        console.plain(
                "  service    "
                        + service.url()
                        + "   (a generated token; the service's log: "
                        + dir.resolve("service/service.log")
                        + ")");
        console.plain(
                "  status     "
                        + service.url()
                        + "/   (open it in a browser; sign in with the token "
                        + token
                        + ")");
        console.plain("  metrics    " + service.url() + "/metrics");
        console.plain("  apps       " + service.url() + "/api/v1/apps   (token " + token + ")");
        console.plain(
                "  try        curl -s "
                        + auth
                        + " "
                        + service.url()
                        + "/api/v1/apps/"
                        + StreamingApp.APP_KEY
                        + "/batches?limit=3");
        console.plain(
                "  queries    curl -s "
                        + auth
                        + " "
                        + service.url()
                        + "/api/v1/apps/"
                        + StreamingApp.APP_KEY
                        + "/queries");
        console.plain(
                "  query      curl -s "
                        + auth
                        + " "
                        + service.url()
                        + "/api/v1/apps/"
                        + StreamingApp.APP_KEY
                        + "/queries/"
                        + ClicksQuery.NAME
                        + "/batches?limit=3");
        console.plain(
                "  alerts     curl -s "
                        + auth
                        + " '"
                        + service.url()
                        + "/api/v1/alerts?state=all'");
        if (sparkUi != null) console.plain("  spark ui   " + sparkUi);
        console.plain(
                "  kafka      "
                        + broker.bootstrapServers()
                        + ", topic "
                        + TOPIC
                        + " ("
                        + StreamingApp.PARTITIONS
                        + " partitions)");
        console.plain("");
        console.plain(
                "Timeline, from when the query is warm: "
                        + timeline.steadySeconds()
                        + " s at "
                        + timeline.baseRate()
                        + " records/s, a "
                        + timeline.surgeSeconds()
                        + " s surge at "
                        + timeline.surgeRate()
                        + " records/s (the app and the query each keep up with ~"
                        + StreamingApp.capacityPerSecond()
                        + "/s), then "
                        + timeline.baseRate()
                        + " records/s again.");
        console.plain(
                "Every "
                        + LIVE_EVERY.toSeconds()
                        + " s: the app and the query as Streamwatch sees them. Alerts print the moment the service's webhook "
                        + "delivers them. "
                        + (options.durationSeconds() > 0
                                ? "Stops after " + options.durationSeconds() + " s; "
                                : "")
                        + "Ctrl-C stops everything.");
        console.plain("");
    }

    /** Prints the live lines every few seconds until the duration is up or a stop is requested. */
    private void watch() throws InterruptedException {
        long deadline = options.durationSeconds() > 0 ? options.durationSeconds() : Long.MAX_VALUE;
        long nextLive = console.elapsedSeconds();
        while (!stopRequested && console.elapsedSeconds() < deadline) {
            startProducerOnceWarm();
            String text = metrics();
            if (text != null) {
                AppMetrics m = AppMetrics.parse(text, StreamingApp.APP_KEY);
                AppMetrics q = AppMetrics.parse(text, StreamingApp.APP_KEY, ClicksQuery.NAME);
                noteProgress(m.batchesCompleted(), q.microBatchesCompleted());
                if (firstBatchAt >= 0 && console.elapsedSeconds() >= nextLive) {
                    console.event(
                            "app   "
                                    + m.liveLine()
                                    + " | producer "
                                    + producer.currentRate()
                                    + "/s");
                    if (firstMicroBatchAt >= 0) console.event("query " + q.queryLiveLine());
                    nextLive = console.elapsedSeconds() + LIVE_EVERY.toSeconds();
                }
            }
            Thread.sleep(1000);
        }
    }

    /** Counts as the service reports them; says when the first of each arrives. */
    private void noteProgress(long batches, long microBatches) {
        if (batches > 0) batchesSeen = Math.max(batchesSeen, batches);
        if (microBatches > 0) microBatchesSeen = Math.max(microBatchesSeen, microBatches);
        if (batches > 0 && firstBatchAt < 0) {
            firstBatchAt = console.elapsedSeconds();
            console.event("first batch completed, " + firstBatchAt + " s after start");
        }
        if (microBatches > 0 && firstMicroBatchAt < 0) {
            firstMicroBatchAt = console.elapsedSeconds();
            console.event(
                    "query '"
                            + ClicksQuery.NAME
                            + "': first micro-batch completed, "
                            + firstMicroBatchAt
                            + " s after start");
        }
    }

    /**
     * Stops everything in order (producer, query, app and Spark, service, broker, webhook) and
     * prints the summary. Runs once.
     */
    void finish() {
        finishing = true;
        Thread.interrupted(); // a stop request interrupts the main thread; stopping must not be
        // interrupted too
        synchronized (lock) {
            if (finished) return;
            finished = true;
            console.event("stopping: producer, Spark, the service, the Kafka broker ...");
            quietly(producer);
            quietly(query); // before the app: the query needs the SparkContext to end cleanly
            quietly(app);
            if (app != null && webhook != null && webhook.firing() > 0) {
                // The app ended cleanly: the service resolves whatever still fires. Let those
                // notifications arrive.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (webhook.firing() > 0 && System.nanoTime() < until) sleep(100);
            }
            if (service != null) {
                String text = metrics();
                if (text != null)
                    noteProgress(
                            AppMetrics.parse(text, StreamingApp.APP_KEY).batchesCompleted(),
                            AppMetrics.parse(text, StreamingApp.APP_KEY, ClicksQuery.NAME)
                                    .microBatchesCompleted());
            }
            quietly(service);
            quietly(broker);
            quietly(webhook);
            summary();
            if (exitCode == 0 && dir != null) deleteTree(dir);
        }
    }

    /**
     * What the service saw: the app's batches and the query's micro-batches, each with its alerts
     * (when each fired and resolved), then any other alert.
     */
    private void summary() {
        List<WebhookPrinter.Transition> all = webhook == null ? List.of() : webhook.transitions();
        String appSubject = "app=" + StreamingApp.APP_KEY;
        String querySubject = appSubject + " query=" + ClicksQuery.NAME;
        console.plain("");
        console.plain("Summary after " + console.elapsedSeconds() + " s, as the service saw it:");
        console.plain(
                "  the app '"
                        + StreamingApp.APP_KEY
                        + "': "
                        + batchesSeen
                        + " completed batches"
                        + (firstBatchAt >= 0
                                ? " (the first " + firstBatchAt + " s after start)"
                                : ""));
        alertLines(all, appSubject);
        console.plain(
                "  its query '"
                        + ClicksQuery.NAME
                        + "': "
                        + microBatchesSeen
                        + " micro-batches"
                        + (firstMicroBatchAt >= 0
                                ? " (the first " + firstMicroBatchAt + " s after start)"
                                : ""));
        alertLines(all, querySubject);
        List<String> others =
                all.stream()
                        .map(WebhookPrinter.Transition::subject)
                        .filter(s -> !s.equals(appSubject) && !s.equals(querySubject))
                        .distinct()
                        .toList();
        for (String other : others) {
            console.plain("  " + other + ":");
            alertLines(all, other);
        }
        long fired = all.stream().filter(t -> t.status().equals("FIRING")).count();
        console.plain(
                all.isEmpty()
                        ? "  no alert notifications arrived"
                        : "  " + fired + " fired, " + (all.size() - fired) + " resolved.");
        List<String> running = new java.util.ArrayList<>();
        if (service != null && service.process().alive())
            running.add("the service (pid " + service.process().pid() + ")");
        if (broker != null && broker.process().alive())
            running.add("the Kafka broker (pid " + broker.process().pid() + ")");
        console.plain(
                running.isEmpty()
                        ? "Stopped: Spark, the service, the Kafka broker. Nothing is left running."
                        : "Still running, stop it by hand: " + String.join(", ", running));
    }

    /** One line per alert of {@code subject}: when it fired and resolved; "no alerts" if none. */
    private void alertLines(List<WebhookPrinter.Transition> all, String subject) {
        List<String> names =
                all.stream()
                        .filter(t -> t.subject().equals(subject))
                        .map(WebhookPrinter.Transition::alertname)
                        .distinct()
                        .toList();
        if (names.isEmpty()) console.plain("    no alerts");
        for (String name : names) {
            StringBuilder line = new StringBuilder(String.format("    %-22s", name));
            String sep = "";
            for (WebhookPrinter.Transition t : all) {
                if (!t.subject().equals(subject) || !t.alertname().equals(name)) continue;
                boolean firing = t.status().equals("FIRING");
                line.append(firing ? sep + " fired at " : ", resolved at ")
                        .append(t.atSeconds())
                        .append(" s");
                sep = ",";
            }
            console.plain(line.toString());
        }
    }

    private static void quietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            // Stopping anyway; the summary is what matters now.
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(
                    root,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                                throws IOException {
                            Files.deleteIfExists(file);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path d, IOException e)
                                throws IOException {
                            Files.deleteIfExists(d);
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            // A temp directory left behind is not worth failing a clean run for.
        }
    }
}
