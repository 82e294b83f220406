package io.streamwatch.service.http;

import io.streamwatch.service.config.ServiceConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may use which endpoints, and the URL the service is reached at, from the configuration: the
 * tokens for ingest, the read API and {@code /metrics}, and {@code server.externalUrl}.
 */
public final class Access {
    private Access() {}

    public static BearerAuth ingest(ServiceConfig config) {
        return new BearerAuth(
                List.of(ingestTokens(config)),
                config.ingest().allowUnauthenticated(),
                "ingest",
                "ingest.tokens, ingest.tokenFile, ingest.appTokens or STREAMWATCH_INGEST_TOKENS");
    }

    /**
     * The read API: its own tokens; ingest tokens are refused with 403 (they only write) unless
     * {@code api.ingestTokensCanRead}.
     */
    public static BearerAuth read(ServiceConfig config) {
        return new BearerAuth(
                        readers(config),
                        config.api().allowUnauthenticated(),
                        "the read API",
                        "api.tokens, api.tokenFile or STREAMWATCH_API_TOKENS")
                .refusing(ingestTokens(config), WRITE_ONLY);
    }

    /** {@code /metrics}: open unless {@code metrics.requireToken}, then as the read API. */
    public static BearerAuth metrics(ServiceConfig config) {
        return new BearerAuth(
                        readers(config),
                        !config.metrics().requireToken(),
                        "/metrics",
                        "api.tokens; or set metrics.requireToken: false")
                .refusing(ingestTokens(config), WRITE_ONLY);
    }

    private static final String WRITE_ONLY =
            "this is an ingest token: it may only send events; reading needs a reader token"
                    + " (api.tokens), or set api.ingestTokensCanRead: true";

    private static List<ServiceConfig.Secrets> readers(ServiceConfig config) {
        return config.api().ingestTokensCanRead()
                ? List.of(config.api().tokens(), ingestTokens(config))
                : List.of(config.api().tokens());
    }

    /**
     * Every ingest token: unbound ({@code ingest.tokens}) and bound to apps ({@code appTokens}).
     */
    private static ServiceConfig.Secrets ingestTokens(ServiceConfig config) {
        List<String> all = new ArrayList<>(config.ingest().tokens().values());
        for (ServiceConfig.AppToken t : config.ingest().appTokens()) all.addAll(t.token().values());
        return new ServiceConfig.Secrets(all);
    }

    /**
     * {@code server.externalUrl}, else the bound host and port (the host's name when bound to every
     * interface): what links in alerts carry.
     */
    public static String externalUrl(ServiceConfig.Server server, int port) {
        if (server.externalUrl() != null) return server.externalUrl();
        String host = server.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return (server.tls() == null ? "http://" : "https://") + host + ":" + port;
    }
}
