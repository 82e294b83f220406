package io.streamwatch.e2e;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;

/**
 * The test's oracle: Spark's own {@link BatchInfo} of every completed batch, taken from the
 * SparkContext's bus (added in code with addSparkListener, unlike the product's listener, which is
 * attached only by configuration). The SparkContext bus delivers the final batches even after the
 * StreamingContext stops, which a StreamingListener does not guarantee.
 */
final class SparkBatchRecorder extends SparkListener {
    final List<BatchInfo> completed = new CopyOnWriteArrayList<>();

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (!event.getClass().getName().endsWith("WrappedStreamingListenerEvent")) return;
        try {
            Method m = event.getClass().getMethod("streamingListenerEvent");
            m.setAccessible(true);
            Object inner = m.invoke(event);
            if (inner instanceof StreamingListenerBatchCompleted c) completed.add(c.batchInfo());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
