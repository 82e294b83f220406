package io.streamwatch.service.http;

import io.javalin.config.JavalinConfig;
import io.streamwatch.service.config.ServiceConfig;

/** Serves HTTPS from PEM files when {@code server.tls} is set. (Being implemented.) */
final class TlsSetup {
    private TlsSetup() {}

    /** Configures Javalin to listen with TLS on {@code host:port} instead of plain HTTP. */
    static void configure(JavalinConfig cfg, ServiceConfig.Tls tls, String host, int port) {
        throw new UnsupportedOperationException("server.tls is not supported yet");
    }
}
