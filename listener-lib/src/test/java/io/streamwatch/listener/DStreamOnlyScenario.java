package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.T0;
import static io.streamwatch.listener.SparkEvents.wrap;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerStreamingStarted;

/**
 * A DStream driver's events through a real listener to a fake service; {@link QueryGuardTest} runs
 * it in a class loader without spark-sql. Returns the shipped event types, comma-separated.
 */
public final class DStreamOnlyScenario implements Callable<String> {
    @Override
    public String call() throws Exception {
        try (FakeService svc = FakeService.start()) {
            StreamwatchListener l =
                    new StreamwatchListener(
                            SparkEvents.conf(
                                    ListenerConfig.URL,
                                    svc.url(),
                                    ListenerConfig.FLUSH_INTERVAL_MS,
                                    "20"));
            try {
                l.onApplicationStart(SparkEvents.appStart("dstreams", "app-d", null, T0, "u"));
                l.onOtherEvent(wrap(new StreamingListenerStreamingStarted(T0)));
                l.onOtherEvent(
                        wrap(
                                new StreamingListenerBatchCompleted(
                                        SparkEvents.batch(T0, 3, T0 + 1, T0 + 2))));
                l.onApplicationEnd(new SparkListenerApplicationEnd(T0 + 5));
                if (l.callbackErrors() != 0) {
                    throw new AssertionError(l.callbackErrors() + " callback errors");
                }
            } finally {
                l.stopNow();
            }
            List<String> types = new ArrayList<>();
            for (JsonNode e : svc.acceptedEvents()) {
                types.add(e.get("type").asText());
            }
            return String.join(",", types);
        }
    }
}
