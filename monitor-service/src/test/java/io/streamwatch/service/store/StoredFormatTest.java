package io.streamwatch.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamwatch.service.MutableClock;
import io.streamwatch.service.ingest.EventParser;
import io.streamwatch.service.state.AppRegistry;
import io.streamwatch.service.state.AppSnapshot;
import io.streamwatch.service.state.AppWindow;
import io.streamwatch.service.state.BatchRecord;
import io.streamwatch.service.state.KafkaProgress;
import io.streamwatch.testkit.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What earlier releases wrote to the store is read back as it was. */
class StoredFormatTest {
    @TempDir Path dir;

    private final MutableClock clock = MutableClock.atSystemTime();

    /**
     * An app's state exactly as releases before the state was split in parts stored it
     * (PersistedApp version 1).
     */
    private static final String VERSION_1 =
            """
            {"version":1,"app":"orders","firstSeen":1700000000000,"appId":"app-2","attemptId":"1","appName":"Orders",\
            "sparkVersion":"3.5.3","uiUrl":"http://driver:4040","host":"driver","instance":"instance-app-2",\
            "listenerVersion":"0.1.0","startTime":1700000100000,"endTime":null,"finished":false,"batchIntervalMs":1000,\
            "inferredIntervalMs":1000,"lastSeen":1700000200000,"lastProgressAt":1700000190000,"hasListener":true,\
            "kafkaOffsets":{"clicks":{"0":120,"1":80}},"kafkaOffsetsBatchTime":1700000002000,\
            "kafkaOffsetsObservedAt":1700000190000,"receiverErrorAt":1700000150000,\
            "receiverError":"receiver 0 (kafka): connection refused","restarts":1,"batchesCompleted":2,"batchesFailed":1,\
            "recordsTotal":21,"receiverErrors":3,"receivers":[{"streamId":0,"name":"kafka","active":true,\
            "location":"10.0.0.7","executorId":"1","errors":3,"lastErrorMessage":"connection refused",\
            "lastErrorTime":1700000149000}],"processingTime":{"counts":[0,0,0,1,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0],\
            "count":2,"sumSeconds":0.4},"totalDelay":{"counts":[0,0,0,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0],"count":2,\
            "sumSeconds":0.6},"watermarks":{"app-2\\u0000instance-app-2":[7,5]},"knownRuns":["app-1","app-2"],\
            "eventsDropped":5,"eventsLost":2,"duplicateEvents":4}""";

    private static BatchRecord batch(long t, long processingMs, boolean failed) {
        return new BatchRecord(
                "app-2",
                t,
                t,
                t + 10,
                t + 10 + processingMs,
                10,
                processingMs,
                10 + processingMs,
                10,
                failed,
                failed ? "boom" : null,
                false);
    }

    @Test
    void anAppStoredInTheFlatFormatOfVersionOneRestoresAsItWas() throws Exception {
        try (Store s = Store.open(dir)) {
            s.submit(
                            Store.Change.app(
                                    "orders",
                                    VERSION_1,
                                    List.of(
                                            new Store.AppBatch(
                                                    "orders", batch(1700000001000L, 200, false)),
                                            new Store.AppBatch(
                                                    "orders", batch(1700000002000L, 400, true)))))
                    .get(10, TimeUnit.SECONDS);
        }
        try (Store s = Store.open(dir)) {
            StatePersistence.LoadedApps loaded = new StatePersistence(s).loadApps(100);
            assertEquals(0, loaded.unreadable());
            AppRegistry registry =
                    new AppRegistry(clock, 100, 10, Duration.ofDays(36500), Duration.ofDays(36500));
            registry.restore(loaded.apps(), loaded.batches());

            AppSnapshot a = registry.snapshot("orders").orElseThrow();
            assertEquals("app-2", a.run().appId());
            assertEquals("1", a.run().attemptId());
            assertEquals("Orders", a.run().appName());
            assertEquals("3.5.3", a.run().sparkVersion());
            assertEquals("http://driver:4040", a.run().uiUrl());
            assertEquals("driver", a.run().host());
            assertEquals(1700000000000L, a.run().firstSeen());
            assertEquals(1700000200000L, a.run().lastSeen());
            assertEquals(1700000100000L, a.run().startTime());
            assertEquals(1, a.run().restarts());
            assertEquals(1000L, a.batchIntervalMs());
            assertEquals(2, a.batches().completed());
            assertEquals(1, a.batches().failed());
            assertEquals(21, a.batches().records());
            assertEquals(2, a.batches().processingTime().count());
            assertEquals(0.6, a.batches().totalDelay().sumSeconds());
            assertEquals(batch(1700000002000L, 400, true), a.lastBatch());
            assertEquals(3, a.receiving().errors());
            assertEquals(
                    List.of(
                            new AppSnapshot.ReceiverView(
                                    0,
                                    "kafka",
                                    true,
                                    "10.0.0.7",
                                    "1",
                                    3,
                                    "connection refused",
                                    1700000149000L)),
                    a.receivers());
            assertEquals("instance-app-2", a.listener().instance());
            assertEquals("0.1.0", a.listener().listenerVersion());
            assertEquals(5, a.listener().eventsDropped());
            assertEquals(2, a.listener().eventsLost());
            assertEquals(4, a.listener().duplicateEvents());
            assertEquals(true, a.hasListener());

            AppWindow w = registry.window("orders", 10).orElseThrow();
            assertEquals(1700000190000L, w.lastProgressAt());
            assertEquals(1700000150000L, w.receiverErrorAt());
            assertEquals("receiver 0 (kafka): connection refused", w.receiverError());

            KafkaProgress k = registry.kafkaProgress().get(0);
            assertEquals(Map.of("clicks", Map.of(0, 120L, 1, 80L)), k.offsets());
            assertEquals(1700000002000L, k.batchTime());

            // The sequence watermark came back (events up to seq 7 are duplicates), the drop count
            // is not
            // counted twice, and a request from the earlier run app-1 changes no identity.
            EventParser parser = new EventParser(clock, 100);
            Events resent =
                    Events.from("orders", "app-2")
                            .dropped(5)
                            .startingAt(7)
                            .streamingStarted(clock.millis(), 1000)
                            .streamingStarted(clock.millis(), 1000);
            AppRegistry.Result r =
                    registry.apply(parser.parse(resent.json().getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, r.duplicates(), "seq 7 was applied before the restart");
            assertEquals(1, r.accepted());
            AppSnapshot after = registry.snapshot("orders").orElseThrow();
            assertEquals(5, after.listener().eventsDropped());
            Events old = Events.from("orders", "app-1").streamingStarted(clock.millis(), 5000);
            registry.apply(parser.parse(old.json().getBytes(StandardCharsets.UTF_8)));
            assertEquals(
                    "app-2",
                    registry.snapshot("orders").orElseThrow().run().appId(),
                    "app-1 is a known earlier run");
        }
    }
}
