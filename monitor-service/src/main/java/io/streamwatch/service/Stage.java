package io.streamwatch.service;

/**
 * One stage of the service's pipeline. {@link #configure} only validates (no I/O, no threads);
 * {@link #start} acquires what the stage needs (files, sockets, threads) and may rely on every
 * stage before it having started; {@link #stop} releases it and is called in reverse order, only
 * for stages that started.
 */
interface Stage {
    String name();

    void configure();

    void start();

    void stop();

    /** A stage from its three steps. */
    static Stage of(String name, Runnable configure, Runnable start, Runnable stop) {
        return new Stage() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void configure() {
                configure.run();
            }

            @Override
            public void start() {
                start.run();
            }

            @Override
            public void stop() {
                stop.run();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    static void nothing() {}
}
