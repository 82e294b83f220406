package io.streamwatch.service.http;

import static io.streamwatch.service.http.LoopbackService.INGEST;
import static io.streamwatch.service.http.LoopbackService.READER;
import static io.streamwatch.service.http.LoopbackService.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.service.http.LoopbackService.Response;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Events;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The status page over real HTTP: who may see it (Bearer, Basic, the sign-in cookie; never an
 * ingest token; open with allowUnauthenticated), its security headers, the overview's order and
 * paging, one app's data, and uPlot served from the jar.
 */
class StatusPagesHttpTest {
    private static final String APP = "orders <eu> & \"1\"";
    private static LoopbackService svc;

    @BeforeAll
    static void start() throws Exception {
        svc = LoopbackService.start("status-pages", Map.of());
        long t = svc.clock.millis() - 30_000;
        Events e = Events.from(APP, "app-1").streamingStarted(t, 1000);
        for (int i = 0; i < 5; i++) e.completed(t + i * 1000, 3, 200 + i, 10 + i, null);
        e.queryStarted(t, "id-1", "run-1", "enrich", "processingTime", 1000L);
        for (int i = 0; i < 3; i++)
            e.queryProgress(t + i * 1000, "id-1", "run-1", "enrich", i, t + i * 1000, 10, 300);
        assertEquals(200, svc.ingest(e).status());
        for (String quiet : List.of("alpha", "beta", "gamma")) {
            assertEquals(
                    200,
                    svc.ingest(
                                    Events.from(quiet, quiet + "-1")
                                            .streamingStarted(t, 1000)
                                            .completed(t, 1, 10, 1, null))
                            .status());
        }
    }

    @AfterAll
    static void stop() {
        svc.close();
    }

    private static Response get(String path, String... headers) throws Exception {
        return svc.send("GET", path, null, headers);
    }

    private static String basic(String user, String password) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Response signIn(String token, String next) throws Exception {
        String form =
                "token="
                        + URLEncoder.encode(token, StandardCharsets.UTF_8)
                        + (next == null
                                ? ""
                                : "&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        return svc.send(
                "POST",
                "/signin",
                form.getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                "application/x-www-form-urlencoded");
    }

    private static String sessionCookie(Response r) {
        String set = r.header("set-cookie");
        assertNotNull(set, "a session cookie: " + r.headers());
        return set.substring(0, set.indexOf(';'));
    }

    @Test
    void withoutCredentialsPagesRedirectToSignInAndDataIsRefusedWithoutAnyAppData()
            throws Exception {
        Response overview = get("/");
        assertEquals(303, overview.status());
        assertEquals("/signin?next=%2F", overview.header("location"));
        Response app = get("/apps/" + LoopbackService.path(APP));
        assertEquals(303, app.status());
        assertTrue(app.header("location").startsWith("/signin?next="), app.headers().toString());
        assertFalse(app.body().contains("orders"), app.body());

        Response form = get(app.header("location"));
        assertEquals(200, form.status());
        assertTrue(form.body().contains("<form id=\"signin\""), form.body());
        assertTrue(form.body().contains("name=\"token\" type=\"password\""), form.body());
        assertFalse(form.body().contains("orders"), "the sign-in page names no app");
        assertTrue(form.body().contains("data-page=\"signin\""));

        assertRefused(get("/ui/data/overview"), 401, "missing bearer token");
        assertRefused(get("/ui/data/apps/" + LoopbackService.path(APP)), 401, "missing");
        assertRefused(
                get("/ui/data/apps/nope"), 401, "missing"); // unknown apps too: 404 only after auth
    }

    @Test
    void bearerBasicAndTheSignInCookieAllOpenThePagesAndTheData() throws Exception {
        assertEquals(200, get("/", "Authorization", "Bearer " + READER).status());
        assertEquals(200, get("/", "Authorization", basic("anyone", READER)).status());
        assertEquals(200, get("/ui/data/overview", "Authorization", basic("", READER)).status());
        assertEquals(303, get("/", "Authorization", basic("x", "wrong-1234")).status());
        assertEquals(
                401, get("/ui/data/overview", "Authorization", basic("x", "wrong-1234")).status());

        Response signedIn = signIn(READER, "/apps/" + LoopbackService.path(APP));
        assertEquals(303, signedIn.status(), signedIn.toString());
        assertEquals("/apps/" + LoopbackService.path(APP), signedIn.header("location"));
        String setCookie = signedIn.header("set-cookie");
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
        assertTrue(setCookie.contains("Path=/"), setCookie);
        assertFalse(setCookie.contains(READER), "the cookie is a session id, not the token");
        assertFalse(signedIn.header("location").contains(READER));
        String cookie = sessionCookie(signedIn);
        assertTrue(cookie.matches("streamwatch_session=[0-9a-f]{64}"), cookie);

        Response page = get("/apps/" + LoopbackService.path(APP), "Cookie", cookie);
        assertEquals(200, page.status());
        assertTrue(page.body().contains("data-page=\"app\""));
        assertEquals(200, get("/ui/data/overview", "Cookie", cookie).status());

        Response out = svc.send("POST", "/signout", new byte[0], "Cookie", cookie);
        assertEquals(303, out.status());
        assertTrue(out.header("set-cookie").contains("Max-Age=0"), out.headers().toString());
        assertEquals(303, get("/", "Cookie", cookie).status(), "signed out: the session ends");
        assertEquals(401, get("/ui/data/overview", "Cookie", cookie).status());
        assertEquals(
                303,
                get("/", "Cookie", "streamwatch_session=" + "0".repeat(64)).status(),
                "an invented session id");
    }

    @Test
    void aWrongTokenShowsTheFormAgainWithAGenericErrorAndAnIngestTokenIsRefusedAsByTheApi()
            throws Exception {
        Response wrong = signIn("wrong-token-42", "/");
        assertEquals(401, wrong.status());
        assertTrue(wrong.body().contains("id=\"signin-error\""), wrong.body());
        assertTrue(wrong.body().contains("was not accepted"), wrong.body());
        assertFalse(wrong.body().contains("wrong-token-42"), "nothing echoed");
        assertEquals(null, wrong.header("set-cookie"));

        Response ingest = signIn(INGEST, "/");
        assertEquals(403, ingest.status());
        assertTrue(ingest.body().contains("this is an ingest token"), ingest.body());
        assertRefused(
                get("/ui/data/overview", "Authorization", "Bearer " + INGEST),
                403,
                "this is an ingest token");
        assertEquals(403, get("/", "Authorization", basic("u", INGEST)).status());
    }

    @Test
    void nextOnlyEverLeadsToAPathOnThisService() throws Exception {
        for (String evil :
                List.of("//evil.example/", "https://evil.example/", "/\\evil.example", "evil")) {
            Response r = signIn(READER, evil);
            assertEquals(303, r.status());
            assertEquals("/", r.header("location"), "next=" + evil);
        }
        assertEquals("/apps/a%20b#query-q", StatusPages.safeNext("/apps/a%20b#query-q"));
    }

    @Test
    void failedSignInsAreThrottledPerClient() throws Exception {
        try (LoopbackService own = LoopbackService.start("status-throttle", Map.of())) {
            int last = 0;
            for (int i = 0; i < 12; i++) {
                last =
                        own.send(
                                        "POST",
                                        "/signin",
                                        "token=nope".getBytes(StandardCharsets.UTF_8),
                                        "Content-Type",
                                        "application/x-www-form-urlencoded")
                                .status();
            }
            assertEquals(429, last);
        }
    }

    @Test
    void htmlCarriesTheSecurityHeadersAndNoInlineScript() throws Exception {
        for (String path : List.of("/", "/apps/" + LoopbackService.path(APP), "/signin")) {
            Response r = get(path, "Authorization", "Bearer " + READER);
            assertEquals(200, r.status(), path);
            assertEquals(StatusPages.CSP, r.header("content-security-policy"), path);
            assertEquals("nosniff", r.header("x-content-type-options"));
            assertEquals("no-referrer", r.header("referrer-policy"));
            assertEquals("no-store", r.header("cache-control"));
            assertFalse(r.body().matches("(?s).*<script>.*"), "no inline script in " + path);
            assertFalse(r.body().contains("style="), "no inline style in " + path);
        }
        assertEquals(
                "no-store",
                get("/ui/data/overview", "Authorization", "Bearer " + READER)
                        .header("cache-control"));
    }

    @Test
    void theOverviewListsAppsAndQueriesProblemsFirstAndPages() throws Exception {
        JsonNode o = get("/ui/data/overview", "Authorization", "Bearer " + READER).json();
        assertEquals(4, o.get("apps").asInt(), o.toString());
        assertEquals(1, o.get("queries").asInt());
        assertEquals(5, o.get("rowsTotal").asInt());
        JsonNode rows = o.get("rows");
        assertEquals(5, rows.size());
        // all running and nothing firing: by app, the query after its app
        assertEquals("alpha", rows.get(0).get("app").asText());
        JsonNode app = rows.get(3);
        assertEquals(APP, app.get("app").asText());
        assertEquals("app", app.get("kind").asText());
        assertEquals(204, app.get("processingMs").asLong());
        assertEquals(1000, app.get("intervalMs").asLong());
        assertEquals(5, app.get("spark").size(), app.toString());
        JsonNode query = rows.get(4);
        assertEquals("query", query.get("kind").asText());
        assertEquals("enrich", query.get("name").asText());
        assertEquals(3, query.get("spark").size());

        JsonNode page2 =
                get("/ui/data/overview?page=2&size=2", "Authorization", "Bearer " + READER).json();
        assertEquals(3, page2.get("pages").asInt());
        assertEquals(2, page2.get("rows").size());
        assertEquals("gamma", page2.get("rows").get(0).get("app").asText());
        assertRefused(
                get("/ui/data/overview?size=501", "Authorization", "Bearer " + READER),
                400,
                "size");
    }

    @Test
    void problemsSortFirstFiringThenDownThenTheRest() throws Exception {
        try (LoopbackService own = LoopbackService.start("status-order", Map.of())) {
            long t = own.clock.millis();
            for (String a : List.of("a-stalled", "z-down")) {
                own.ingest(
                        Events.from(a, a + "-1")
                                .streamingStarted(t, 1000)
                                .completed(t, 1, 10, 1, null));
            }
            own.clock.advance(Duration.ofMinutes(10));
            long now = own.clock.millis();
            own.ingest(Events.from("a-stalled", "a-stalled-1").heartbeat(now));
            own.ingest(
                    Events.from("m-ok", "m-ok-1")
                            .streamingStarted(now, 1000)
                            .completed(now, 1, 10, 1, null));
            JsonNode rows =
                    Await.result(
                            Duration.ofSeconds(20),
                            "a-stalled firing on the overview",
                            () -> {
                                JsonNode r = get2(own, "/ui/data/overview").get("rows");
                                return r.get(0).get("alerts").size() > 0 ? r : null;
                            });
            assertEquals("a-stalled", rows.get(0).get("app").asText(), rows.toString());
            assertEquals("critical", rows.get(0).get("alerts").get(0).get("severity").asText());
            assertEquals("z-down", rows.get(1).get("app").asText(), rows.toString());
            assertEquals("silent", rows.get(1).get("state").asText());
            assertEquals("m-ok", rows.get(2).get("app").asText(), rows.toString());
            JsonNode o = get2(own, "/ui/data/overview");
            assertTrue(o.get("firing").asInt() >= 1, o.toString());
            assertEquals(1, o.get("down").asInt(), o.toString());
        }
    }

    private static JsonNode get2(LoopbackService s, String path) {
        try {
            return s.send("GET", path, null, "Authorization", "Bearer " + READER).json();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theAppDataHasColumnarHistoryQueriesAndA404ForUnknownApps() throws Exception {
        JsonNode d =
                get(
                                "/ui/data/apps/" + LoopbackService.path(APP),
                                "Authorization",
                                "Bearer " + READER)
                        .json();
        assertEquals(APP, d.get("app").asText());
        assertEquals("running", d.get("state").asText());
        JsonNode h = d.get("history");
        for (String col :
                List.of(
                        "time",
                        "processingMs",
                        "schedulingDelayMs",
                        "totalDelayMs",
                        "records",
                        "inputRate",
                        "failed")) {
            assertEquals(5, h.get(col).size(), col + " in " + h);
        }
        assertEquals(200, h.get("processingMs").get(0).asLong());
        assertEquals(204, h.get("processingMs").get(4).asLong());
        assertTrue(h.get("time").get(0).asLong() < h.get("time").get(4).asLong());
        assertTrue(d.get("alerts").isArray());
        assertNotNull(d.get("listener").get("eventsDropped"));
        JsonNode q = d.get("queries").get(0);
        assertEquals("enrich", q.get("name").asText());
        assertEquals(3, q.get("history").get("triggerExecutionMs").size());
        assertEquals(300, q.get("history").get("triggerExecutionMs").get(0).asLong());

        assertRefused(
                get("/ui/data/apps/nope", "Authorization", "Bearer " + READER), 404, "unknown app");
        Response page = get("/apps/nope", "Authorization", "Bearer " + READER);
        assertEquals(404, page.status(), "an unknown app's page says so in its status too");
        assertTrue(page.body().contains("data-page=\"app\""), page.body());
        assertEquals(
                200,
                get("/apps/" + LoopbackService.path(APP), "Authorization", "Bearer " + READER)
                        .status());
        assertEquals(303, get("/apps/nope").status(), "without credentials: no hint it is unknown");
    }

    @Test
    void staticAssetsAndUplotAreServedFromTheJarWithCacheHeaders() throws Exception {
        Response u = get("/ui/static/uPlot.iife.min.js");
        assertEquals(200, u.status());
        assertTrue(u.header("content-type").startsWith("text/javascript"));
        assertTrue(u.body().contains("uPlot"), "the uPlot bundle");
        String etag = u.header("etag");
        assertNotNull(etag);
        assertTrue(u.header("cache-control").contains("max-age="), u.headers().toString());
        assertEquals(304, get("/ui/static/uPlot.iife.min.js", "If-None-Match", etag).status());
        assertTrue(get("/ui/static/uPlot.min.css").header("content-type").startsWith("text/css"));
        for (String own : List.of("common.js", "overview.js", "app.js", "signin.js", "style.css"))
            assertEquals(200, get("/ui/static/" + own).status(), own);
        assertRefused(get("/ui/static/..%2Fsecret"), 404, "no such static file");
        String page = get("/", "Authorization", "Bearer " + READER).body();
        assertTrue(
                page.contains("/ui/static/overview.js?v=" + etag.replace("\"", "")),
                "the version in the URL changes with the assets");
    }

    @Test
    void withAllowUnauthenticatedEverythingIsOpenAndNoSignInIsShown() throws Exception {
        try (LoopbackService open =
                LoopbackService.start(
                        "status-open",
                        Map.of(
                                "STREAMWATCH_API_TOKENS",
                                "",
                                "STREAMWATCH_API_ALLOW_UNAUTHENTICATED",
                                "true"))) {
            Response r = open.send("GET", "/", null);
            assertEquals(200, r.status());
            assertFalse(r.body().contains("signout"), "no sign-out without sign-in");
            assertEquals(200, open.send("GET", "/ui/data/overview", null).status());
        }
    }
}
