package io.streamwatch.service.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.streamwatch.service.ingest.RejectedException;
import io.streamwatch.service.rules.AlertView;
import io.streamwatch.service.state.AppRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The status page: {@code GET /} (every app and query), {@code GET /apps/{app}} (one app), sign-in
 * and sign-out, the JSON the pages fetch under {@code /ui/data}, and their scripts, styles and
 * uPlot under {@code /ui/static} (open: they carry no data). Pages and data need what the read API
 * needs ({@link PageAuth}); a page asked for without it redirects to the sign-in form.
 */
final class StatusPages {
    static final String CSP =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; form-action 'self'; frame-ancestors 'none';"
                    + " base-uri 'none'";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final List<String> OWN =
            List.of("common.js", "overview.js", "app.js", "signin.js", "style.css");
    private static final Pattern SAFE_NEXT = Pattern.compile("/(?![/\\\\])[\\x21-\\x7e]*");
    private static final String NOT_ACCEPTED =
            "That token was not accepted. Sign in with a reader token (api.tokens).";

    private final PageAuth auth;
    private final PageData overview;
    private final AppPageData apps;
    private final Map<String, byte[]> statics = new LinkedHashMap<>();
    private final String version;
    private final String overviewHtml;
    private final String appHtml;
    private final String signinHtml;

    StatusPages(PageAuth auth, PageData overview, AppPageData apps) {
        this.auth = auth;
        this.overview = overview;
        this.apps = apps;
        for (String f : OWN) statics.put(f, resource("streamwatch/ui/static/" + f));
        statics.put("uPlot.iife.min.js", resource(UPLOT + "uPlot.iife.min.js"));
        statics.put("uPlot.min.css", resource(UPLOT + "uPlot.min.css"));
        this.version = digest(statics);
        this.overviewHtml = shell("overview.html");
        this.appHtml = shell("app.html");
        this.signinHtml = shell("signin.html");
    }

    /** The status page over {@code registry} and {@code alerts}, behind the read API's tokens. */
    static StatusPages create(
            BearerAuth readAuth,
            boolean tls,
            AppRegistry registry,
            Function<Boolean, List<AlertView>> alerts) {
        Clock clock = Clock.systemUTC();
        int history = registry.historyCapacity();
        return new StatusPages(
                new PageAuth(readAuth, tls, clock),
                new PageData(registry, alerts, clock),
                new AppPageData(registry, alerts, history, clock));
    }

    void register(Javalin app) {
        app.get("/", ctx -> page(ctx, overviewHtml, 200));
        app.get(
                "/apps/{app}",
                ctx -> page(ctx, appHtml, apps.known(ctx.pathParam("app")) ? 200 : 404));
        app.get("/signin", ctx -> signinForm(ctx, 200, ""));
        app.post("/signin", this::signIn);
        app.post(
                "/signout",
                ctx -> {
                    auth.signOut(ctx);
                    ctx.redirect(auth.open() ? "/" : "/signin", HttpStatus.SEE_OTHER);
                });
        app.get(
                "/ui/data/overview",
                ctx -> {
                    auth.check(ctx);
                    int page = number(ctx, "page", 1, Integer.MAX_VALUE, 1);
                    int size = number(ctx, "size", 1, PageData.MAX_SIZE, PageData.DEFAULT_SIZE);
                    noStore(ctx).json(overview.overview(page, size));
                });
        app.get(
                "/ui/data/apps/{app}",
                ctx -> {
                    auth.check(ctx);
                    String key = ctx.pathParam("app");
                    noStore(ctx).json(apps.app(key).orElseThrow(() -> HttpServer.unknownApp(key)));
                });
        app.get("/ui/static/{file}", this::asset);
    }

    /**
     * {@code html} with {@code status} (404 for an app the service does not know, whose page then
     * says so) once the caller may read; otherwise the sign-in form, which names no app.
     */
    private void page(Context ctx, String html, int status) {
        try {
            auth.check(ctx);
        } catch (RejectedException e) {
            if (e.status() == 403) {
                signinForm(ctx, 403, e.getMessage());
            } else {
                ctx.redirect(
                        "/signin?next=" + URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8),
                        HttpStatus.SEE_OTHER);
                noStore(ctx);
            }
            return;
        }
        html(ctx, status, html.replace("{{signout}}", auth.open() ? "" : SIGNOUT));
    }

    private static final String SIGNOUT =
            "<form id=\"signout\" method=\"post\" action=\"/signout\">"
                    + "<button type=\"submit\">Sign out</button></form>";

    private void signIn(Context ctx) {
        String next = safeNext(ctx.formParam("next"));
        try {
            auth.signIn(ctx, ctx.formParam("token"));
        } catch (RejectedException e) {
            String message = e.status() == 401 ? NOT_ACCEPTED : e.getMessage();
            signinForm(ctx, e.status(), message);
            return;
        }
        noStore(ctx).redirect(next, HttpStatus.SEE_OTHER);
    }

    private void signinForm(Context ctx, int status, String error) {
        html(ctx, status, signinHtml.replace("{{error}}", escape(error)));
    }

    /** A same-origin path starting with a single {@code /}, else {@code /}. */
    static String safeNext(String next) {
        return next != null && next.length() <= 2000 && SAFE_NEXT.matcher(next).matches()
                ? next
                : "/";
    }

    private void asset(Context ctx) {
        byte[] body = statics.get(ctx.pathParam("file"));
        if (body == null) {
            throw new RejectedException(
                    404, "no such static file: " + HttpServer.clip(ctx.pathParam("file"), 60));
        }
        String etag = "\"" + version + "\"";
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", "public, max-age=86400");
        ctx.header("X-Content-Type-Options", "nosniff");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        String f = ctx.pathParam("file");
        ctx.contentType(
                f.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        ctx.result(body);
    }

    private static void html(Context ctx, int status, String html) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        noStore(ctx).status(status).html(html);
    }

    private static Context noStore(Context ctx) {
        return ctx.header("Cache-Control", "no-store");
    }

    private static int number(Context ctx, String name, int min, int max, int dflt) {
        List<String> values = ctx.queryParams(name);
        if (values.isEmpty()) return dflt;
        String raw = values.get(0);
        if (values.size() == 1 && raw.matches("[0-9]{1,9}")) {
            int n = Integer.parseInt(raw);
            if (n >= min && n <= max) return n;
        }
        throw RejectedException.badRequest(
                name + ": must be one whole number from " + min + " to " + max);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private String shell(String name) {
        return new String(resource("streamwatch/ui/" + name), StandardCharsets.UTF_8)
                .replace("{{v}}", version);
    }

    private static byte[] resource(String path) {
        try (InputStream in = StatusPages.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource " + path);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String digest(Map<String, byte[]> files) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] b : files.values()) d.update(b);
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
