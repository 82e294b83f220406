package io.streamwatch.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code ./run-demo.sh} end to end, exactly as a user starts it (the build skipped: Maven just
 * built everything), on the compressed {@code --quick} timeline: both app alerts fire during the
 * surge and resolve after it while the demo still runs, and so does at least one alert of the
 * Structured Streaming query (with its {@code query} label); the service's API lists the query; the
 * live lines show the service's numbers; it ends with exit 0 after {@code --duration} and on
 * SIGINT, no process it started survives, and nothing it started listens outside loopback.
 */
class DemoIT {
    private static final Path REPO =
            Path.of(System.getProperty("streamwatch.repo", "..")).toAbsolutePath().normalize();
    private static final Pattern LIVE =
            Pattern.compile(
                    "interval 1\\.0 s \\| processing \\d+\\.\\d\\d s \\| sched delay \\d+\\.\\d s \\| waiting batches \\d+ \\| kafka lag \\d+ records, ");
    private static final Pattern FIRST_BATCH =
            Pattern.compile("first batch completed, (\\d+) s after start");
    private static final Pattern QUERY_LIVE =
            Pattern.compile(
                    "query trigger \\d+\\.\\d s \\| micro-batch \\d+\\.\\d\\d s \\| input \\d+ rows/s \\| processed \\d+ rows/s \\| kafka lag ");

    /** The printed "queries" line: the token and the URL of the app's queries. */
    private static final Pattern QUERIES_CURL =
            Pattern.compile(
                    "queries +curl -s -H 'Authorization: Bearer (\\S+)' (http://127\\.0\\.0\\.1:\\d+/api/v1/apps/streamwatch-demo/queries)");

    private static final String APP = "app=streamwatch-demo";
    private static final String QUERY = "app=streamwatch-demo query=enrich-clicks";

    /**
     * A run of the script: its output as it arrives, and every process it started, as seen while it
     * ran.
     */
    private static final class Run {
        final Process process;
        final StringBuffer out = new StringBuffer();
        final Set<Long> descendants = new ConcurrentSkipListSet<>();
        final List<String> listeners = new ArrayList<>();
        private final Thread reader;

        Run(String... args) throws IOException {
            // A shell without job control starts background commands with SIGINT ignored, and a
            // process inherits that: the tests run that way would see a demo deaf to Ctrl-C. env
            // (coreutils) gives the demo SIGINT's default back, as a terminal would have it.
            List<String> cmd =
                    new ArrayList<>(
                            List.of(
                                    "env",
                                    "--default-signal=INT",
                                    "bash",
                                    REPO.resolve("run-demo.sh").toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true);
            pb.environment().put("STREAMWATCH_DEMO_SKIP_BUILD", "1");
            process = pb.start();
            reader =
                    new Thread(
                            () -> {
                                try (InputStream in = process.getInputStream()) {
                                    byte[] buf = new byte[8192];
                                    for (int n; (n = in.read(buf)) != -1; ) {
                                        String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                                        out.append(s);
                                        System.out.print(s);
                                    }
                                } catch (IOException e) {
                                    out.append("\n[reading failed: ").append(e).append("]\n");
                                }
                            });
            reader.start();
        }

        /** Waits for the output to satisfy {@code condition}, noting the process tree meanwhile. */
        void awaitOutput(String what, Predicate<String> condition, long seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!condition.test(out.toString())) {
                noteDescendants();
                if (!process.isAlive())
                    fail("the demo ended before " + what + "; its output:\n" + out);
                if (System.nanoTime() > deadline)
                    fail("no " + what + " within " + seconds + " s; output so far:\n" + out);
                Thread.sleep(250);
            }
            noteDescendants();
        }

        void noteDescendants() {
            process.descendants().forEach(h -> descendants.add(h.pid()));
        }

        void checkListeners() throws IOException {
            Set<Long> pids = new HashSet<>(descendants);
            pids.add(process.pid());
            listeners.addAll(Listeners.of(pids));
        }

        int awaitExit(long seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (process.isAlive()) {
                noteDescendants();
                if (System.nanoTime() > deadline) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    fail("the demo did not end within " + seconds + " s; its output:\n" + out);
                }
                Thread.sleep(250);
            }
            reader.join(10_000);
            return process.exitValue();
        }

        void assertNothingSurvives() throws InterruptedException {
            assertTrue(
                    descendants.size() >= 2,
                    "saw the broker and service processes: " + descendants);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            List<Long> alive;
            do {
                alive =
                        descendants.stream()
                                .filter(
                                        pid ->
                                                ProcessHandle.of(pid)
                                                        .map(ProcessHandle::isAlive)
                                                        .orElse(false))
                                .toList();
                if (alive.isEmpty()) return;
                Thread.sleep(200);
            } while (System.nanoTime() < deadline);
            alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            fail(
                    "processes the demo started are still running after it exited: "
                            + alive
                            + "\n"
                            + out);
        }
    }

    @Test
    void aQuickRunFiresAndResolvesTheAppsAndTheQuerysAlertsThenStopsCleanlyAfterItsDuration()
            throws Exception {
        long started = System.nanoTime();
        Run run = new Run("--quick", "--duration", "100");
        run.awaitOutput("live line", o -> LIVE.matcher(o).find(), 90);
        run.checkListeners();
        run.awaitOutput("query live line", o -> QUERY_LIVE.matcher(o).find(), 30);
        String listed = queriesListed(run.out.toString());
        int code = run.awaitExit(120);
        String out = run.out.toString();
        assertEquals(0, code, "exit code; output:\n" + out);

        Matcher first = FIRST_BATCH.matcher(out);
        assertTrue(first.find(), "the first batch is announced:\n" + out);
        assertTrue(
                Integer.parseInt(first.group(1)) < 60,
                "first batch within 60 s of the start: " + first.group());
        for (String expected :
                List.of(
                        "/metrics",
                        "/api/v1/apps",
                        "Authorization: Bearer demo-",
                        "producer: SURGE",
                        "producer: surge over",
                        "/api/v1/apps/streamwatch-demo/queries/enrich-clicks/batches",
                        "query 'enrich-clicks': first micro-batch completed",
                        "Summary after",
                        "  its query 'enrich-clicks': ")) {
            assertTrue(out.contains(expected), "output mentions '" + expected + "':\n" + out);
        }
        assertTrue(
                listed.contains("\"query\":\"enrich-clicks\"")
                        && listed.contains("\"triggerIntervalMs\":" + ClicksQuery.TRIGGER_MS),
                "the service's API lists the query with its trigger interval: " + listed);
        int stopping = out.indexOf("stopping:");
        assertTrue(stopping > 0, "announces the stop:\n" + out);
        String whileRunning = out.substring(0, stopping);
        for (String alert : List.of("StreamingBatchTooSlow", "StreamingDelayGrowing")) {
            // The app's alerts carry no query label: "app=streamwatch-demo" then the summary.
            assertFiresThenResolves(whileRunning, alert, APP + "  ", out);
        }
        List<String> queryAlerts =
                Stream.of("StreamingBatchTooSlow", "StreamingDelayGrowing")
                        .filter(
                                a ->
                                        whileRunning.contains(
                                                String.format("FIRING   %-22s %s  ", a, QUERY)))
                        .toList();
        assertTrue(
                !queryAlerts.isEmpty(),
                "the query is paged (with its query label) while the demo runs:\n" + out);
        for (String alert : queryAlerts)
            assertFiresThenResolves(whileRunning, alert, QUERY + "  ", out);
        assertTrue(out.contains("Nothing is left running."), out);
        if (Files.isDirectory(Path.of("/proc/net"))) {
            assertTrue(
                    run.listeners.size() >= 4,
                    "found the listening sockets of the service, broker, Spark and webhook: "
                            + run.listeners);
            assertEquals(
                    List.of(),
                    run.listeners.stream().filter(l -> !l.endsWith(" loopback")).toList(),
                    "listening outside loopback");
        }
        run.assertNothingSurvives();
        System.out.println(
                "DemoIT: quick run took "
                        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)
                        + " s");
    }

    /**
     * {@code FIRING alert subject} then {@code RESOLVED alert subject}, both before the demo stops
     * (resolved as the app recovers, not merely at its end).
     */
    private static void assertFiresThenResolves(
            String whileRunning, String alert, String subject, String out) {
        String name = String.format("%-22s ", alert);
        int firing = whileRunning.indexOf("FIRING   " + name + subject);
        int resolved = whileRunning.indexOf("RESOLVED " + name + subject);
        assertTrue(
                firing > 0, alert + " " + subject.trim() + " fires while the demo runs:\n" + out);
        assertTrue(
                resolved > firing,
                alert
                        + " "
                        + subject.trim()
                        + " resolves after firing, before the demo stops (not merely at app end):\n"
                        + out);
    }

    /** {@code GET /api/v1/apps/streamwatch-demo/queries} as the printed curl line gives it. */
    private static String queriesListed(String out) throws Exception {
        Matcher m = QUERIES_CURL.matcher(out);
        assertTrue(m.find(), "prints where the app's queries are:\n" + out);
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(m.group(2)))
                                        .header("Authorization", "Bearer " + m.group(1))
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void ctrlCStopsEverythingWithExitCodeZero() throws Exception {
        Run run = new Run("--quick");
        run.awaitOutput("live line", o -> LIVE.matcher(o).find(), 90);
        new ProcessBuilder("kill", "-INT", String.valueOf(run.process.pid()))
                .inheritIO()
                .start()
                .waitFor();
        int code = run.awaitExit(60);
        String out = run.out.toString();
        assertEquals(0, code, "exit code after SIGINT; output:\n" + out);
        assertTrue(out.contains("Summary after") && out.contains("Nothing is left running."), out);
        run.assertNothingSurvives();
    }

    @Test
    void badArgumentsPrintTheUsageAndExitWithTwoBeforeBuildingAnything() throws Exception {
        Run run = new Run("--duration", "soon");
        int code = run.awaitExit(30);
        assertEquals(2, code, run.out.toString());
        assertTrue(
                run.out.toString().contains("usage: ./run-demo.sh [--duration SECONDS]"),
                run.out.toString());
        assertTrue(run.out.toString().contains("'soon'"), run.out.toString());
    }

    /**
     * TCP sockets in LISTEN state owned by the given processes, from Linux's /proc: "tcp6
     * ADDRESS:PORT loopback|EXPOSED".
     */
    static final class Listeners {
        private Listeners() {}

        static List<String> of(Set<Long> pids) throws IOException {
            Path proc = Path.of("/proc");
            if (!Files.isDirectory(proc.resolve("net")))
                return List.of(); // not Linux: nothing to inspect
            Set<String> inodes = new HashSet<>();
            for (long pid : pids) {
                Path fds = proc.resolve(String.valueOf(pid)).resolve("fd");
                try (Stream<Path> list = Files.list(fds)) {
                    for (Path fd : (Iterable<Path>) list::iterator) {
                        try {
                            String target = Files.readSymbolicLink(fd).toString();
                            if (target.startsWith("socket:["))
                                inodes.add(target.substring(8, target.length() - 1));
                        } catch (IOException e) {
                            // closed meanwhile
                        }
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
            List<String> found = new ArrayList<>();
            for (String table : List.of("tcp", "tcp6")) {
                Path file = proc.resolve("net").resolve(table);
                if (!Files.exists(file)) continue;
                List<String> lines = Files.readAllLines(file);
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 10 || !f[3].equals("0A") || !inodes.contains(f[9]))
                        continue; // 0A: LISTEN
                    String address = f[1].substring(0, f[1].indexOf(':'));
                    boolean loopback =
                            address.length() == 8
                                    ? address.endsWith("7F") // 127.x.x.x, little-endian
                                    : address.equals("00000000000000000000000001000000") // ::1
                                            || address.startsWith("0000000000000000FFFF0000")
                                                    && address.endsWith("7F"); // ::ffff:127.x
                    found.add(table + " " + f[1] + (loopback ? " loopback" : " EXPOSED"));
                }
            }
            return found;
        }
    }
}
