package io.streamwatch.testkit.spark;

import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.receiver.Receiver;

/** Receiver input: stores {@code perTick} records every 100 ms until stopped. */
public final class TickingReceiver extends Receiver<String> {
    private static final long serialVersionUID = 1L;
    private final int perTick;

    public TickingReceiver(int perTick) {
        super(StorageLevel.MEMORY_ONLY());
        this.perTick = perTick;
    }

    @Override
    public void onStart() {
        Thread t = new Thread(() -> {
            long n = 0;
            while (!isStopped()) {
                for (int i = 0; i < perTick; i++) store("record-" + n++);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ticking-receiver");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void onStop() {
        // the thread checks isStopped()
    }
}
