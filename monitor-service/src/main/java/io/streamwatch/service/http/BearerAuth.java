package io.streamwatch.service.http;

import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.service.ingest.RejectedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <token>} against a set of accepted tokens. Tokens are kept
 * only as SHA-256 digests and compared in constant time against all of them, so neither timing nor
 * length reveals anything. No token is ever logged or echoed.
 */
public final class BearerAuth {
    private final List<byte[]> digests = new ArrayList<>();
    private final List<byte[]> refused = new ArrayList<>();
    private String refusal;
    private final boolean open;
    private final String what;
    private final String hint;

    /**
     * @param open accept requests without a token (explicit opt-out, e.g. allowUnauthenticated)
     * @param what what is protected, for messages ("ingest")
     * @param hint how a client supplies a token, for messages
     */
    public BearerAuth(
            List<ServiceConfig.Secrets> tokenSets, boolean open, String what, String hint) {
        for (ServiceConfig.Secrets set : tokenSets) {
            for (String t : set.values()) digests.add(sha256(t));
        }
        this.open = open;
        this.what = what;
        this.hint = hint;
    }

    /**
     * Answers 403 with {@code why} to a valid token that may not do this (an ingest token on the
     * read API), rather than 401 as to an unknown one. A token also accepted here still passes.
     *
     * @return this
     */
    public BearerAuth refusing(ServiceConfig.Secrets tokens, String why) {
        for (String t : tokens.values()) refused.add(sha256(t));
        this.refusal = why;
        return this;
    }

    /** True when every request passes without a token. */
    boolean open() {
        return open;
    }

    /** True when no request can ever pass: no tokens and not opened. */
    public boolean closed() {
        return !open && digests.isEmpty();
    }

    /**
     * @throws RejectedException 401 naming what is wrong
     */
    public void check(String authorizationHeader) {
        if (open) return;
        if (digests.isEmpty()) {
            throw new RejectedException(
                    401,
                    what
                            + " is closed: the service has no "
                            + what
                            + " token configured; "
                            + "its operator must set one ("
                            + hint
                            + ")");
        }
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            throw new RejectedException(
                    401, "missing bearer token: send 'Authorization: Bearer <token>'");
        }
        String h = authorizationHeader.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new RejectedException(
                    401, "unsupported authorization scheme: send 'Authorization: Bearer <token>'");
        }
        byte[] presented = sha256(h.substring(7).trim());
        boolean ok = false;
        for (byte[] d : digests) {
            ok |= MessageDigest.isEqual(d, presented);
        }
        if (ok) return;
        boolean known = false;
        for (byte[] d : refused) {
            known |= MessageDigest.isEqual(d, presented);
        }
        if (known) throw new RejectedException(403, refusal);
        throw new RejectedException(401, "bearer token not accepted for " + what);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
