package io.streamwatch.demo;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * Ctrl-C and SIGTERM as a request to stop, not as the start of the JVM's shutdown: the demo then
 * stops its parts in order on its own thread, before any shutdown hook (Spark's included) runs.
 * Uses {@code sun.misc.Signal} (module jdk.unsupported, there on every JDK 17) reflectively, so a
 * JVM without it falls back to the shutdown hook.
 */
final class Signals {
    private Signals() {}

    /**
     * Calls {@code onSignal} with the signal's name on SIGINT and SIGTERM; false if it could not
     * take both.
     */
    static boolean handleStop(java.util.function.Consumer<String> onSignal) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler =
                    Proxy.newProxyInstance(
                            handlerType.getClassLoader(),
                            new Class<?>[] {handlerType},
                            (proxy, method, args) -> {
                                switch (method.getName()) {
                                    case "handle" -> {
                                        onSignal.accept(
                                                "SIG"
                                                        + signal.getMethod("getName")
                                                                .invoke(args[0]));
                                        return null;
                                    }
                                    case "hashCode" -> {
                                        return System.identityHashCode(proxy);
                                    }
                                    case "equals" -> {
                                        return proxy == args[0];
                                    }
                                    default -> {
                                        return "demo stop handler";
                                    }
                                }
                            });
            Method handle = signal.getMethod("handle", signal, handlerType);
            boolean all = true;
            for (String name : List.of("INT", "TERM")) {
                try {
                    handle.invoke(
                            null, signal.getConstructor(String.class).newInstance(name), handler);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    all = false; // ignored by whoever started us (nohup, a background job): leave
                    // it so
                }
            }
            return all;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
