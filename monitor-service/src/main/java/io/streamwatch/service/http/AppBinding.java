package io.streamwatch.service.http;

import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.ingest.RejectedException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Which app keys an ingest token may send events for ({@code ingest.appTokens}). A bound token's
 * events for any other app are refused with 403 once the envelope's {@code source.app} is known,
 * before anything is applied; an unbound token (or none, when ingest is open) may send any app.
 * Tokens are kept only as SHA-256 digests, compared in constant time against all of them, and never
 * logged or echoed.
 */
final class AppBinding {
    private record Bound(byte[] digest, List<String> apps) {}

    private final List<Bound> bound = new ArrayList<>();

    AppBinding(List<ServiceConfig.AppToken> appTokens) {
        for (ServiceConfig.AppToken t : appTokens) {
            List<String> apps = t.apps().stream().filter(a -> a != null).toList();
            for (String token : t.token().values())
                bound.add(new Bound(BearerAuth.sha256(token), apps));
        }
    }

    /**
     * The check for the app of a request carrying {@code authorizationHeader} (already accepted by
     * the ingest {@link BearerAuth}): it throws {@link RejectedException} 403 for an app the token
     * is not bound to, and passes anything for an unbound token.
     */
    Consumer<String> forRequest(String authorizationHeader) {
        List<String> apps = appsOf(authorizationHeader);
        if (apps == null) return app -> {};
        return app -> {
            if (!apps.contains(app)) {
                throw new RejectedException(
                        403,
                        "this ingest token may only send events for apps "
                                + apps
                                + "; got '"
                                + clip(app)
                                + "'");
            }
        };
    }

    /** The apps the presented token is bound to, or null when it is not bound. */
    private List<String> appsOf(String authorizationHeader) {
        if (bound.isEmpty() || authorizationHeader == null) return null;
        String h = authorizationHeader.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        byte[] presented = BearerAuth.sha256(h.substring(7).trim());
        List<String> apps = null;
        for (Bound b : bound) {
            if (MessageDigest.isEqual(b.digest(), presented)) {
                if (apps == null) apps = new ArrayList<>();
                for (String a : b.apps()) if (!apps.contains(a)) apps.add(a);
            }
        }
        return apps;
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
