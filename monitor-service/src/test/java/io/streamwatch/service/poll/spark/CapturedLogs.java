package io.streamwatch.service.poll.spark;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Everything the poll.spark package logs while open, level, message and stack trace as text. */
final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.streamwatch.service.poll.spark");
    private final List<String> lines = new CopyOnWriteArrayList<>();

    CapturedLogs() {
        setName("captured-spark-poll-logs");
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = event.getLevel() + " " + event.getFormattedMessage();
        if (event.getThrowableProxy() != null) line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
        lines.add(line);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    long count(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
