package io.streamwatch.bench;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** Progress lines on standard error, with the time of day. */
final class Log {
    void info(String format, Object... args) {
        System.err.println(
                LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
                        + " bench: "
                        + String.format(format, args));
        System.err.flush();
    }
}
