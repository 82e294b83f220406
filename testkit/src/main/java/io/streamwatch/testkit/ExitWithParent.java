package io.streamwatch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * {@code ExitWithParent MAIN_CLASS ARGS...}: runs {@code MAIN_CLASS.main(ARGS)} and exits (running
 * its shutdown hooks) when standard input closes, i.e. when the process that started it is gone,
 * even after a {@code kill -9}. {@link ServiceProcess.Builder#exitWithParent()} starts the service
 * through it, so that no service outlives the demo.
 */
public final class ExitWithParent {
    private ExitWithParent() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ExitWithParent MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        Thread watch =
                new Thread(
                        () -> {
                            try {
                                InputStream in = System.in;
                                while (in.read() != -1) {
                                    // Only the end of the stream matters.
                                }
                            } catch (IOException e) {
                                // A broken pipe is the parent going away too.
                            }
                            System.exit(0);
                        },
                        "exit-with-parent");
        watch.setDaemon(true);
        watch.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
