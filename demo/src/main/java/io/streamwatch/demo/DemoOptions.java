package io.streamwatch.demo;

/**
 * The command line: {@code [--duration SECONDS] [--quick]}.
 *
 * @param durationSeconds when to stop cleanly; 0 runs until Ctrl-C
 * @param quick the compressed timeline the tests use
 */
record DemoOptions(long durationSeconds, boolean quick) {
    static final String USAGE =
            """
            usage: ./run-demo.sh [--duration SECONDS] [--quick]
              Starts Streamwatch, a Kafka broker, a producer with a traffic surge and a Spark driver running a
              Spark Streaming app and a Structured Streaming query on loopback; both fall behind during the
              surge, Streamwatch pages, they recover.
              --duration SECONDS  stop cleanly after SECONDS (without it: run until Ctrl-C)
              --quick             a compressed timeline (shorter steady and surge phases), as the tests use""";

    /** Thrown for arguments that make no sense; the message says which. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Parses the arguments; {@code null} means help was asked for. */
    static DemoOptions parse(String... args) throws UsageException {
        long duration = 0;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--quick" -> quick = true;
                case "--duration" -> {
                    if (i + 1 >= args.length)
                        throw new UsageException("--duration needs a number of seconds");
                    duration = seconds(args[++i]);
                }
                default -> {
                    if (args[i].startsWith("--duration="))
                        duration = seconds(args[i].substring("--duration=".length()));
                    else throw new UsageException("unknown argument '" + args[i] + "'");
                }
            }
        }
        return new DemoOptions(duration, quick);
    }

    private static long seconds(String text) throws UsageException {
        try {
            long s = Long.parseLong(text);
            if (s >= 1 && s <= 86_400) return s;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(
                "--duration takes whole seconds from 1 to 86400, not '" + text + "'");
    }

    Timeline timeline() {
        return quick ? Timeline.QUICK : Timeline.FULL;
    }
}
