package io.streamwatch.listener;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import scala.Option;

/**
 * Reads a running query's trigger, which no listener event carries, by reflection on the shipper
 * thread: the driver's default (else active) SparkSession → {@code streams().get(id)} → {@code
 * streamingQuery()} → {@code trigger()}; for a query of another session (another {@code
 * StreamingQueryManager}), Spark's shared state {@code activeStreamingQueries} (one map per
 * SparkContext) → {@code trigger()}. Trigger classes are matched by simple name, never by package
 * (they moved in Spark 4.1). Nothing here throws: anything unexpected is "not found".
 */
final class TriggerReader implements QueryEventEncoder.TriggerLookup {
    static final long MAX_INTERVAL_MS = 31L * 86_400_000L;

    /** {@code sql.SparkSession} (3.x, and the API companion of 4.x), {@code classic} (4.x). */
    private static final String[] SESSION_COMPANIONS = {
        "org.apache.spark.sql.SparkSession$", "org.apache.spark.sql.classic.SparkSession$"
    };

    /** A trigger as the protocol names it. */
    static final class Trigger {
        final String kind;
        final Long intervalMs;

        Trigger(String kind, Long intervalMs) {
            this.kind = kind;
            this.intervalMs = intervalMs;
        }

        @Override
        public String toString() {
            return kind + (intervalMs == null ? "" : "/" + intervalMs + "ms");
        }
    }

    /** The trigger of run {@code runId} of query {@code id}; null when that run is not found. */
    @Override
    public Trigger read(UUID id, UUID runId) {
        try {
            Object execution = findExecution(id, runId);
            return execution == null ? null : classify(call(execution, "trigger"));
        } catch (Throwable t) {
            return null;
        }
    }

    /** Spark's StreamExecution of that run, or null. */
    private Object findExecution(UUID id, UUID runId) {
        for (Object session : sessions()) {
            Object execution = null;
            try {
                Object wrapper = call(call(session, "streams"), "get", id);
                execution = wrapper == null ? null : call(wrapper, "streamingQuery");
            } catch (Throwable notThere) {
                // try the shared state
            }
            if (!isRun(execution, runId)) {
                try {
                    Object active = call(call(session, "sharedState"), "activeStreamingQueries");
                    execution =
                            active instanceof java.util.Map
                                    ? ((java.util.Map<?, ?>) active).get(id)
                                    : null;
                } catch (Throwable notThere) {
                    execution = null;
                }
            }
            if (isRun(execution, runId)) {
                return execution;
            }
        }
        return null;
    }

    private static boolean isRun(Object execution, UUID runId) {
        try {
            return execution != null && runId.equals(call(execution, "runId"));
        } catch (Throwable t) {
            return false;
        }
    }

    private static List<Object> sessions() {
        List<Object> out = new ArrayList<>(2);
        for (String companion : SESSION_COMPANIONS) {
            for (String getter : new String[] {"getDefaultSession", "getActiveSession"}) {
                try {
                    Class<?> type =
                            Class.forName(companion, false, TriggerReader.class.getClassLoader());
                    Object module = type.getField("MODULE$").get(null);
                    Object session = call(module, getter);
                    if (session instanceof Option && ((Option<?>) session).isDefined()) {
                        Object s = ((Option<?>) session).get();
                        if (!containsSame(out, s)) {
                            out.add(s);
                        }
                    }
                } catch (Throwable notThere) {
                    // another companion, or none
                }
            }
        }
        return out;
    }

    private static boolean containsSame(List<Object> list, Object o) {
        for (Object x : list) {
            if (x == o) {
                return true;
            }
        }
        return false;
    }

    /** The protocol's trigger for one of Spark's Trigger objects, by class simple name. */
    static Trigger classify(Object trigger) {
        if (trigger == null) {
            return null;
        }
        String name = simpleName(trigger.getClass());
        if ("ProcessingTimeTrigger".equals(name)) {
            Long interval = interval(trigger);
            if (interval != null && interval == 0) {
                return new Trigger("default", null);
            }
            return new Trigger("processingTime", interval);
        } else if ("OneTimeTrigger".equals(name)) {
            return new Trigger("once", null);
        } else if ("AvailableNowTrigger".equals(name)) {
            return new Trigger("availableNow", null);
        } else if ("ContinuousTrigger".equals(name)) {
            return new Trigger("continuous", interval(trigger));
        } else if ("RealTimeTrigger".equals(name)) {
            return new Trigger("realTime", null);
        }
        return new Trigger("unknown", null);
    }

    /** {@code ProcessingTimeTrigger} for {@code ...streaming.ProcessingTimeTrigger}, {@code X$}. */
    static String simpleName(Class<?> type) {
        // not Class.getSimpleName(): Java 8 throws on some Scala nested class names
        String name = type.getName();
        name = name.substring(name.lastIndexOf('.') + 1);
        while (name.endsWith("$")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.substring(name.lastIndexOf('$') + 1);
    }

    /** {@code intervalMs()} within 0 to 31 days, else null. */
    private static Long interval(Object trigger) {
        try {
            Object value = call(trigger, "intervalMs");
            if (value instanceof Number) {
                long ms = ((Number) value).longValue();
                return ms >= 0 && ms <= MAX_INTERVAL_MS ? ms : null;
            }
        } catch (Throwable t) {
            // unreadable
        }
        return null;
    }

    private static Object call(Object target, String name, Object... args) throws Exception {
        Class<?>[] types = new Class<?>[args.length];
        for (int i = 0; i < args.length; i++) {
            types[i] = args[i].getClass();
        }
        Method method = target.getClass().getMethod(name, types);
        try {
            method.setAccessible(true);
        } catch (RuntimeException e) {
            // a public method of a public class works without it
        }
        return method.invoke(target, args);
    }
}
