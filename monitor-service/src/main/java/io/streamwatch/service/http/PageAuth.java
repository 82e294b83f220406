package io.streamwatch.service.http;

import io.javalin.http.Context;
import io.streamwatch.service.ingest.RejectedException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who may see the status page: exactly the read API's tokens, given as {@code Authorization:
 * Bearer}, as the password of {@code Authorization: Basic} (any user), or through a session cookie
 * set by signing in with the form. Sessions live in memory (a restart signs everyone out), expire
 * after 12 hours idle or 7 days, and are bounded in number. Failed sign-ins are throttled per
 * client address. No token is ever logged, echoed or put in a URL.
 */
final class PageAuth {
    static final String COOKIE = "streamwatch_session";
    private static final long IDLE_MS = 12 * 3600_000L;
    private static final long ABSOLUTE_MS = 7 * 24 * 3600_000L;
    private static final int MAX_SESSIONS = 10_000;
    private static final int MAX_FAILURES = 10;
    private static final long FAILURE_WINDOW_MS = 60_000L;

    private record Session(long created, long lastUsed) {}

    private record Failures(long since, int count) {}

    private final BearerAuth readAuth;
    private final boolean secure;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Failures> failures = new LinkedHashMap<>();

    PageAuth(BearerAuth readAuth, boolean secure, Clock clock) {
        this.readAuth = readAuth;
        this.secure = secure;
        this.clock = clock;
    }

    /** True when the pages need no sign-in ({@code api.allowUnauthenticated}). */
    boolean open() {
        return readAuth.open();
    }

    /**
     * Passes a request with a valid reader token (header) or session cookie.
     *
     * @throws RejectedException 401 or 403 as the read API answers
     */
    void check(Context ctx) {
        if (readAuth.open()) return;
        String h = ctx.header("Authorization");
        if (h != null && !h.isBlank()) {
            readAuth.check(asBearer(h.trim()));
            return;
        }
        if (validSession(ctx.cookie(COOKIE))) return;
        readAuth.check(null);
    }

    /** {@code Basic base64(user:token)} becomes {@code Bearer token}; anything else is as given. */
    private static String asBearer(String h) {
        if (h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) return h;
        try {
            String decoded =
                    new String(
                            Base64.getDecoder().decode(h.substring(6).trim()),
                            StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException();
            return "Bearer " + decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            throw new RejectedException(
                    401, "malformed Basic credentials: send any user name and the reader token");
        }
    }

    private synchronized boolean validSession(String id) {
        if (id == null) return false;
        Session s = sessions.get(id);
        if (s == null) return false;
        long now = clock.millis();
        if (now - s.lastUsed() > IDLE_MS || now - s.created() > ABSOLUTE_MS) {
            sessions.remove(id);
            return false;
        }
        sessions.put(id, new Session(s.created(), now));
        return true;
    }

    /**
     * Signs in with {@code token}: on success a new session and its cookie.
     *
     * @throws RejectedException 429 when the client failed too often, 401/403 for a bad token
     */
    void signIn(Context ctx, String token) {
        String client = ctx.ip();
        long now = clock.millis();
        synchronized (this) {
            Failures f = failures.get(client);
            if (f != null && now - f.since() < FAILURE_WINDOW_MS && f.count() >= MAX_FAILURES) {
                throw new RejectedException(
                        429, "too many failed sign-ins; wait a minute and try again");
            }
        }
        try {
            if (token == null || token.isBlank()) readAuth.check(null);
            readAuth.check("Bearer " + token.trim());
        } catch (RejectedException e) {
            recordFailure(client, now);
            throw e;
        }
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String id = HexFormat.of().formatHex(raw);
        synchronized (this) {
            failures.remove(client);
            expire(now);
            while (sessions.size() >= MAX_SESSIONS) {
                Iterator<String> it = sessions.keySet().iterator();
                it.next();
                it.remove();
            }
            sessions.put(id, new Session(now, now));
        }
        ctx.header("Set-Cookie", cookie(id, ABSOLUTE_MS / 1000));
    }

    void signOut(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) {
            synchronized (this) {
                sessions.remove(id);
            }
        }
        ctx.header("Set-Cookie", cookie("", 0));
    }

    private String cookie(String value, long maxAgeSeconds) {
        return COOKIE
                + "="
                + value
                + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + maxAgeSeconds
                + (secure ? "; Secure" : "");
    }

    private synchronized void recordFailure(String client, long now) {
        Failures f = failures.get(client);
        if (f == null || now - f.since() >= FAILURE_WINDOW_MS) f = new Failures(now, 0);
        failures.put(client, new Failures(f.since(), f.count() + 1));
        if (failures.size() > MAX_SESSIONS) {
            Iterator<String> it = failures.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    private void expire(long now) {
        sessions.values()
                .removeIf(s -> now - s.lastUsed() > IDLE_MS || now - s.created() > ABSOLUTE_MS);
    }
}
