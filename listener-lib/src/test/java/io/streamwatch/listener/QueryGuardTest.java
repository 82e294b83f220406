package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.T0;
import static io.streamwatch.listener.SparkEvents.conf;
import static io.streamwatch.listener.SparkEvents.wrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The query part must never take the DStream part (or Spark) down with it: a linkage error switches
 * it off with one log line, and a driver without spark-sql never touches it.
 */
class QueryGuardTest {
    private static final String TS = "2026-12-01T06:00:00.000Z";

    private final List<StreamwatchListener> listeners = new ArrayList<>();
    private final Harness harness = new Harness();

    @AfterEach
    void cleanUp() {
        for (StreamwatchListener l : listeners) {
            l.stopNow();
        }
        harness.close();
    }

    private StreamwatchListener listener(
            FakeService svc, QueryEvents.EncoderFactory queryEncoders) {
        StreamwatchListener l =
                new StreamwatchListener(
                        conf(
                                ListenerConfig.URL,
                                svc.url(),
                                "spark.app.id",
                                "app-guard",
                                ListenerConfig.FLUSH_INTERVAL_MS,
                                "20"),
                        null,
                        queryEncoders);
        listeners.add(l);
        return l;
    }

    private static StreamingQueryListener.QueryStartedEvent started() {
        return new StreamingQueryListener.QueryStartedEvent(
                UUID.randomUUID(), UUID.randomUUID(), "q", TS);
    }

    private static List<String> types(List<JsonNode> events) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) {
            out.add(e.get("type").asText());
        }
        return out;
    }

    @Test
    void anEncoderThatCannotLinkSwitchesTheQueryPartOffAndDStreamEventsKeepFlowing()
            throws Exception {
        assertSwitchedOff(
                json -> {
                    throw new NoClassDefFoundError(
                            "org/apache/spark/sql/streaming/StreamingQueryProgress");
                },
                "NoClassDefFoundError");
    }

    @Test
    void aMethodMissingAtCallTimeSwitchesTheQueryPartOffToo() throws Exception {
        assertSwitchedOff(
                json ->
                        new QueryEventEncoder(
                                json,
                                (id, runId) -> {
                                    throw new NoSuchMethodError(
                                            "StreamExecution.trigger()Lorg/apache/spark/sql/streaming/Trigger;");
                                }),
                "NoSuchMethodError");
    }

    private void assertSwitchedOff(QueryEvents.EncoderFactory broken, String error)
            throws Exception {
        FakeService svc = harness.service();
        try (CapturedLog log = new CapturedLog()) {
            StreamwatchListener l = listener(svc, broken);
            l.onOtherEvent(started());
            l.onOtherEvent(
                    wrap(
                            new StreamingListenerBatchCompleted(
                                    SparkEvents.batch(T0, 1, T0 + 1, T0 + 2))));
            Await.until("the batch at the service", 10_000, () -> svc.acceptedSeqs().size() == 1);
            assertEquals(Collections.singletonList(2L), svc.acceptedSeqs());

            l.onOtherEvent(started()); // no longer queued: takes no number
            l.onOtherEvent(
                    wrap(
                            new StreamingListenerBatchCompleted(
                                    SparkEvents.batch(T0 + 1000, 1, T0 + 1001, T0 + 1002))));
            l.onApplicationEnd(new SparkListenerApplicationEnd(T0 + 2000));
            assertEquals(Arrays.asList(2L, 3L, 4L), svc.acceptedSeqs());
            assertEquals(
                    Arrays.asList("batchCompleted", "batchCompleted", "appEnd"),
                    types(svc.acceptedEvents()));
            assertEquals(0, l.callbackErrors(), "nothing reached the listener bus");
            List<String> lines = log.matching("query events are switched off", error);
            assertEquals(1, lines.size(), log.lines().toString());
            assertTrue(lines.get(0).contains("DStream and application events are still shipped"));
        }
    }

    @Test
    void otherFailuresSkipOnlyThatEventAndKeepTheQueryPartOn() throws Exception {
        FakeService svc = harness.service();
        int[] calls = {0};
        StreamwatchListener l =
                listener(
                        svc,
                        json ->
                                new QueryEventEncoder(
                                        json,
                                        (id, runId) -> {
                                            if (calls[0]++ == 0) {
                                                throw new IllegalStateException("odd query");
                                            }
                                            return null;
                                        }));
        l.onOtherEvent(started());
        l.onOtherEvent(started());
        Await.until("the second start", 10_000, () -> svc.acceptedSeqs().size() == 1);
        assertEquals(Collections.singletonList(2L), svc.acceptedSeqs());
        assertEquals("queryStarted", svc.acceptedEvents().get(0).get("type").asText());
    }

    /** Class names a loader was asked for. */
    static final class RecordingLoader extends URLClassLoader {
        final Set<String> requested = Collections.synchronizedSet(new HashSet<String>());

        RecordingLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            return super.loadClass(name, resolve);
        }
    }

    @Test
    void aDStreamOnlyDriverWithoutSparkSqlShipsAndNeverLoadsTheQueryEncoder() throws Exception {
        String classpath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            String name = new File(entry).getName();
            if (name.startsWith("spark-sql") || name.startsWith("spark-catalyst")) {
                removed.add(name);
            } else if (!entry.isEmpty()) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        assertEquals(3, removed.size(), "spark-sql, spark-sql-api, spark-catalyst: " + removed);
        ClassLoader parent = ClassLoader.getSystemClassLoader().getParent();
        try (RecordingLoader loader = new RecordingLoader(urls.toArray(new URL[0]), parent)) {
            assertThrows(
                    ClassNotFoundException.class,
                    () -> loader.loadClass(QueryEvents.EVENT_CLASS_PREFIX + "StartedEvent"));
            Class<?> scenario = loader.loadClass(DStreamOnlyScenario.class.getName());
            @SuppressWarnings("unchecked")
            Callable<String> run =
                    (Callable<String>) scenario.getDeclaredConstructor().newInstance();
            assertEquals("appStart,streamingStarted,batchCompleted,appEnd", run.call());
            assertTrue(
                    loader.requested.contains(StreamwatchListener.class.getName()),
                    "the listener ran in the isolated loader");
            assertTrue(loader.requested.contains(QueryEvents.class.getName()));
            assertTrue(
                    !loader.requested.contains(QueryEventEncoder.class.getName()),
                    "the query encoder was never loaded");
            for (String name : loader.requested) {
                assertTrue(
                        !name.startsWith("org.apache.spark.sql.")
                                || name.startsWith(QueryEvents.EVENT_CLASS_PREFIX),
                        "no spark-sql class asked for: " + name);
            }
        }
    }

    /** Keeps the guard's own JSON factory use honest: the factory sees the listener's. */
    @Test
    void theDefaultFactoryBuildsTheRealEncoderOnFirstUse() throws Exception {
        QueryEvents events = new QueryEvents(new JsonFactory());
        assertTrue(events.isQueryEvent(started()));
        assertTrue(events.accepts(StreamingQueryListener.QueryIdleEvent.class));
        assertTrue(!events.accepts(String.class));
        EncodedEvent e = events.encode(new QueuedEvent(1, T0, started()));
        assertEquals("queryStarted", e.type());
        assertTrue(!events.disabled());
    }
}
