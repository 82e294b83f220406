package io.streamwatch.listener;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;

/** Listeners and fake services a test created, all stopped by {@link #close()} after each test. */
final class Harness implements AutoCloseable {
    private final List<StreamwatchListener> listeners = new ArrayList<>();
    private final List<FakeService> services = new ArrayList<>();

    FakeService service() throws Exception {
        return service(0);
    }

    FakeService service(int port) throws Exception {
        FakeService s = port == 0 ? FakeService.start() : FakeService.start(port);
        services.add(s);
        return s;
    }

    StreamwatchListener listener(SparkConf conf) {
        StreamwatchListener l = new StreamwatchListener(conf);
        listeners.add(l);
        return l;
    }

    @Override
    public void close() {
        for (StreamwatchListener l : listeners) {
            l.stopNow();
        }
        for (FakeService s : services) {
            s.close();
        }
    }
}
