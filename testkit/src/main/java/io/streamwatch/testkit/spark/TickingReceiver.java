package io.streamwatch.testkit.spark;

import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.receiver.Receiver;

/**
 * Receiver input: stores {@code perTick} records every 100 ms until stopped; optionally reports one
 * receiver error once it has stored a given number of records.
 */
public final class TickingReceiver extends Receiver<String> {
    private static final long serialVersionUID = 1L;
    private final int perTick;
    private final long errorAtRecord;
    private final String errorMessage;
    private final RuntimeException errorCause;

    public TickingReceiver(int perTick) {
        this(perTick, -1, null, null);
    }

    private TickingReceiver(
            int perTick, long errorAtRecord, String errorMessage, RuntimeException errorCause) {
        super(StorageLevel.MEMORY_ONLY());
        this.perTick = perTick;
        this.errorAtRecord = errorAtRecord;
        this.errorMessage = errorMessage;
        this.errorCause = errorCause;
    }

    /**
     * The same input, reporting {@code message} and {@code cause} as a receiver error once record
     * {@code n} is stored.
     */
    public TickingReceiver reportingErrorAt(long n, String message, RuntimeException cause) {
        return new TickingReceiver(perTick, n, message, cause);
    }

    @Override
    public void onStart() {
        Thread t =
                new Thread(
                        () -> {
                            long n = 0;
                            while (!isStopped()) {
                                for (int i = 0; i < perTick; i++) store("record-" + n++);
                                if (n == errorAtRecord) reportError(errorMessage, errorCause);
                                try {
                                    Thread.sleep(100);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "ticking-receiver");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void onStop() {
        // the thread checks isStopped()
    }
}
