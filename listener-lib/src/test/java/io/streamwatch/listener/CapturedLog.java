package io.streamwatch.listener;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.SparkConf;

/**
 * What the listener logs at WARN and above while open, through log4j2 (the slf4j binding Spark
 * ships). Spark's own logging set-up runs first, so it cannot replace the capture half way.
 */
final class CapturedLog implements AutoCloseable {
    private static final String LOGGER = "io.streamwatch.listener";

    private final List<String> lines = Collections.synchronizedList(new ArrayList<String>());
    private final LoggerContext context;
    private final AbstractAppender appender;

    CapturedLog() {
        new SparkConf(false).initializeLogIfNecessary(false, true);
        context = (LoggerContext) LogManager.getContext(false);
        appender =
                new AbstractAppender(
                        "captured-listener-log", null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        lines.add(
                                event.getLevel() + " " + event.getMessage().getFormattedMessage());
                    }
                };
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig logger = new LoggerConfig(LOGGER, Level.WARN, false);
        logger.addAppender(appender, Level.WARN, null);
        config.addLogger(LOGGER, logger);
        context.updateLoggers();
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<String>(lines);
        }
    }

    /** Lines containing every fragment. */
    List<String> matching(String... fragments) {
        List<String> out = new ArrayList<String>();
        for (String line : lines()) {
            boolean all = true;
            for (String f : fragments) {
                all &= line.contains(f);
            }
            if (all) {
                out.add(line);
            }
        }
        return out;
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(LOGGER);
        context.updateLoggers();
        appender.stop();
    }
}
