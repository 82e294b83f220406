package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.Await;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.ServiceProcess;
import io.streamwatch.testkit.spark.SparkLine;
import io.streamwatch.testkit.spark.SparkLineDriverProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/**
 * The status pages in Debian's headless Chromium against the real service jar, fed by a real Spark
 * 3.5 driver running a DStream app and a Structured Streaming query (listener attached by
 * configuration), plus an app with a hostile key sent over HTTP as the listener would. One service,
 * one driver, one browser for the class; every wait polls the page or the API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageIT {
    private static final String TOKEN = "status-page-" + System.nanoTime();
    private static final String APP = "status page";
    private static final String QUERY = "slow";
    private static final String SLOW = "StreamingBatchTooSlow";
    private static final String HOSTILE = "<b>\"ünïcødé\" & 日本</b>";
    private static final Duration PAGE = Duration.ofSeconds(20);
    private static final Duration SPARK = Duration.ofSeconds(90);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final List<String> visited = new ArrayList<>();
    private ServiceProcess service;
    private SparkLineDriverProcess driver;
    private Browser browser;
    private long started;

    @BeforeAll
    void startServiceSparkAndBrowser() throws Exception {
        started = System.nanoTime();
        Path dir = Files.createTempDirectory("streamwatch-status-page");
        service =
                ServiceProcess.start(
                        dir.resolve("service"),
                        TOKEN,
                        "alerting: { slowBatches: 3, appDownAfter: 5m, startupGrace: 1s,"
                                + " resendInterval: 10m }\n");
        browser = Browser.start();
        driver =
                SparkLineDriverProcess.on(SparkLine.SPARK_3_5_SCALA_2_12, dir.resolve("driver"))
                        .app(APP)
                        .service(service.url(), TOKEN)
                        .master("local[3]")
                        .start();
        driver.command("dstream start intervalMs=1000 perTick=2");
        driver.command("query " + QUERY + " triggerMs=1000 rows=2 sleepMs=1500");
        long t = System.currentTimeMillis() - 10_000;
        Events hostile = Events.from(HOSTILE, "app-hostile-1").streamingStarted(t, 1000);
        for (int i = 0; i < 5; i++)
            hostile.submitted(t + i * 1000L).completed(t + i * 1000L, 3, 120, 4, null);
        int status = service.ingest(hostile).statusCode();
        assertTrue(status / 100 == 2, "ingest of the hostile app: " + status);
    }

    @AfterAll
    void stopAll() {
        if (browser != null) browser.close();
        if (driver != null) driver.close();
        if (service != null) service.close();
        System.out.printf(
                "StatusPageIT: %d ms; pages visited: %s%n",
                (System.nanoTime() - started) / 1_000_000, visited);
    }

    @Test
    @Order(1)
    void withoutCredentialsNoAppDataShowsAndTheFormSignsInWithoutATokenInAnyUrl() throws Exception {
        Await.until(
                SPARK,
                "the service to know " + APP + " and its query",
                () -> SparkTruth.query(service, APP, QUERY) != null);
        for (String path : List.of("/", "/apps/" + ServiceProcess.encode(APP))) {
            open(path);
            assertEquals("signin", browser.js("document.body.dataset.page"), browser.url());
            assertTrue(browser.url().contains("/signin"), browser.url());
            String source = browser.driver().getPageSource();
            for (String secret : List.of(APP, "ünïcødé", driver.appId(), TOKEN))
                assertTrue(!source.contains(secret), "the sign-in page shows " + secret);
        }
        HttpResponse<String> data =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(service.url() + "/ui/data/overview"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, data.statusCode(), data.body());
        assertTrue(!data.body().contains(APP), data.body());
        open("/ui/data/overview");
        String shown = browser.driver().getPageSource();
        assertTrue(!shown.contains(APP) && !shown.contains(driver.appId()), shown);
        List<String> expected = browser.clearConsole();
        assertTrue(
                expected.stream().allMatch(e -> e.contains(" 401 ") || e.contains("/favicon.ico ")),
                "only the refused data request is an error: " + expected);

        open("/apps/" + ServiceProcess.encode(APP));
        WebElement token = browser.first("form#signin input[name=token][type=password]");
        token.sendKeys(TOKEN);
        browser.first("form#signin button[type=submit]").click();
        browser.until(
                PAGE,
                () -> "the app page after signing in; at " + browser.url(),
                () -> "app".equals(browser.js("document.body.dataset.page")));
        visited.add(browser.url());
        assertTrue(!browser.url().contains(TOKEN), "the token in the URL: " + browser.url());
        browser.awaitRefreshAfter(0, PAGE);
        assertEquals(APP, browser.first("h1#app-name").getText());
        Cookie session =
                browser.driver().manage().getCookies().stream()
                        .filter(c -> !c.getValue().isEmpty())
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no session cookie"));
        assertTrue(session.isHttpOnly(), "HttpOnly: " + session);
        assertTrue(!session.getValue().contains(TOKEN), "the cookie is not the token");
    }

    @Test
    @Order(2)
    void theOverviewListsTheDStreamAppAndTheQuery() {
        open("/");
        browser.awaitPresent(PAGE, "tr.row[data-kind=app][data-app=\"" + APP + "\"]");
        browser.awaitPresent(
                PAGE,
                "tr.row[data-kind=query][data-app=\"" + APP + "\"][data-query=" + QUERY + "]");
        WebElement app = browser.first("tr.row[data-kind=app][data-app=\"" + APP + "\"]");
        WebElement query =
                browser.first(
                        "tr.row[data-kind=query][data-app=\""
                                + APP
                                + "\"][data-query="
                                + QUERY
                                + "]");
        assertEquals(APP, app.findElement(By.cssSelector("a.name")).getText());
        assertEquals(QUERY, query.findElement(By.cssSelector("a.name")).getText());
        assertTrue(
                app.findElement(By.cssSelector("a.name"))
                        .getAttribute("href")
                        .endsWith("/apps/" + ServiceProcess.encode(APP)),
                "the link to the app page");
        assertTrue(
                Integer.parseInt(browser.first("#count-apps").getText()) >= 2, "both apps counted");
        assertTrue(Integer.parseInt(browser.first("#count-queries").getText()) >= 1);
    }

    @Test
    @Order(3)
    void anAlertFiringWhileThePagesAreOpenShowsWithinOneRefreshAndLeavesWhenResolved()
            throws Exception {
        open("/");
        String row = "tr.row[data-kind=query][data-app=\"" + APP + "\"][data-query=" + QUERY + "]";
        String span = row + " td.alerts span.alert[data-alertname=" + SLOW + "]";
        Await.until(
                SPARK,
                () -> SLOW + " firing in /api/v1/alerts: " + apiStates(),
                () -> apiStates().contains("firing"));
        long seenAt = browser.refreshes();
        long shownAt = awaitShown(span, true);
        assertTrue(
                shownAt <= seenAt + 2,
                "on the overview within one refresh of the API: refresh #"
                        + seenAt
                        + " -> #"
                        + shownAt);
        assertTrue(Integer.parseInt(browser.first("#count-firing").getText()) >= 1);
        browser.screenshot(SCREENSHOTS.resolve("overview.png"));

        open("/apps/" + ServiceProcess.encode(APP));
        browser.awaitRefreshAfter(0, PAGE);
        assertTrue(browser.first("#firing .alert[data-alertname=" + SLOW + "]") != null, "#firing");
        WebElement event =
                browser.first(
                        "#alert-history > li.alert-event[data-alertname="
                                + SLOW
                                + "][data-state=firing]");
        assertTrue(event != null, "the firing alert in the history");
        String runbook = event.findElement(By.cssSelector("a.runbook")).getAttribute("href");
        assertTrue(runbook.contains("/runbook#streamingbatchtooslow"), runbook);
        browser.screenshot(SCREENSHOTS.resolve("app.png"));

        driver.command("slow " + QUERY + " sleepMs=0");
        Await.until(
                SPARK,
                () -> SLOW + " resolved in /api/v1/alerts: " + apiStates(),
                () -> !apiStates().contains("firing") && apiStates().contains("resolved"));
        long resolvedAt = browser.refreshes();
        long goneAt = awaitShown("#firing .alert[data-alertname=" + SLOW + "]", false);
        assertTrue(
                goneAt <= resolvedAt + 2,
                "left the app page within one refresh: #" + resolvedAt + " -> #" + goneAt);
        browser.awaitPresent(
                PAGE,
                "#alert-history > li.alert-event[data-alertname="
                        + SLOW
                        + "][data-state=resolved]");

        open("/");
        browser.awaitRefreshAfter(0, PAGE);
        browser.awaitPresent(PAGE, row);
        assertTrue(browser.first(span) == null, "no longer on the overview");
    }

    @Test
    @Order(4)
    void theProcessingChartHasOnePointPerCompletedBatch() {
        driver.command("dstream stop");
        driver.command("stop " + QUERY);
        SparkTruth.assertDStreamBatchesExactly(service, APP, driver);
        long completed = 0;
        for (JsonNode b : service.batches(APP, 1000))
            if (!b.path("failed").asBoolean()) completed++;
        assertEquals(driver.dstreamBatches().size(), completed, "Spark's own count");
        int microBatches = SparkTruth.assertMicroBatchesExactly(service, APP, QUERY, driver).size();

        open("/apps/" + ServiceProcess.encode(APP));
        browser.awaitRefreshAfter(0, PAGE);
        String points = String.valueOf(completed);
        browser.until(
                PAGE,
                () ->
                        "chart-processing with "
                                + points
                                + " points: "
                                + attr("#chart-processing", "data-points"),
                () -> points.equals(attr("#chart-processing", "data-points")));
        String qpoints = String.valueOf(microBatches);
        String chart = "#queries > section.query[data-query=" + QUERY + "] div.chart";
        browser.until(
                PAGE,
                () ->
                        "the query's chart with "
                                + qpoints
                                + " points: "
                                + attr(chart, "data-points"),
                () -> qpoints.equals(attr(chart, "data-points")));
        assertEquals(
                "query-" + QUERY,
                browser.first("#queries > section.query[data-query=" + QUERY + "]")
                        .getAttribute("id"));
    }

    @Test
    @Order(5)
    void anAppKeyWithMarkupQuotesAndNonAsciiLettersIsText() {
        open("/");
        @SuppressWarnings("unchecked")
        Map<String, Object> row =
                Await.result(
                        PAGE,
                        "the hostile app's row",
                        () ->
                                (Map<String, Object>)
                                        browser.js(
                                                "(function(k){ var r = Array.from(document.querySelectorAll('tr.row[data-kind=app]')).find(function(t){ return t.dataset.app === k; }); return r ? {name: r.querySelector('a.name').textContent, b: document.getElementsByTagName('b').length} : null; })(arguments[0])",
                                                HOSTILE));
        assertEquals(HOSTILE, row.get("name"));
        assertEquals(0L, row.get("b"), "no b element on the overview");

        open("/apps/" + ServiceProcess.encode(HOSTILE));
        browser.awaitRefreshAfter(0, PAGE);
        assertEquals(HOSTILE, browser.js("document.getElementById('app-name').textContent"));
        assertEquals(0L, browser.js("document.getElementsByTagName('b').length"));
    }

    @Test
    @Order(6)
    void atPhoneWidthNeitherPageScrollsSideways() {
        browser.size(390, 844);
        try {
            for (String path : List.of("/", "/apps/" + ServiceProcess.encode(APP))) {
                open(path);
                browser.awaitRefreshAfter(0, PAGE);
                Object wide =
                        browser.js(
                                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
                @SuppressWarnings("unchecked")
                List<Long> w = (List<Long>) wide;
                assertTrue(w.get(0) <= w.get(1), path + " scrolls sideways at 390 px: " + w);
            }
        } finally {
            browser.size(1280, 900);
        }
    }

    /**
     * Every page names its icon ({@code data:}), so Chromium asks for no {@code /favicon.ico}: any
     * SEVERE entry at all fails (the one refused JSON request in the first test was checked and
     * cleared there).
     */
    @Test
    @Order(7)
    void noConsoleErrorsOnAnyPageVisited() {
        assertEquals(List.of(), browser.severe(), "console errors on " + visited);
    }

    private void open(String path) {
        browser.open(service.url() + path);
        visited.add(path);
        assertTrue(!browser.url().contains(TOKEN), browser.url());
    }

    private String attr(String css, String name) {
        WebElement e = browser.first(css);
        return e == null ? null : e.getAttribute(name);
    }

    /**
     * Polls the page until {@code css} is present ({@code shown}) or gone, answering the refresh
     * count at that moment.
     */
    private long awaitShown(String css, boolean shown) {
        return Await.result(
                PAGE,
                Duration.ofMillis(100),
                () -> css + (shown ? " to show" : " to leave") + " on " + browser.url(),
                () -> {
                    Object r =
                            browser.js(
                                    "[document.querySelector(arguments[0]) !== null, document.body.dataset.refreshes || '0']",
                                    css);
                    List<?> l = (List<?>) r;
                    return Boolean.valueOf(shown).equals(l.get(0))
                            ? Long.parseLong(String.valueOf(l.get(1)))
                            : null;
                });
    }

    /** The states of {@value #SLOW} for the query in {@code /api/v1/alerts?state=all}. */
    private List<String> apiStates() {
        List<String> states = new ArrayList<>();
        for (JsonNode a : service.json("/api/v1/alerts?state=all").path("alerts")) {
            if (SLOW.equals(a.path("alertname").asText())
                    && APP.equals(a.path("app").asText())
                    && QUERY.equals(a.path("query").asText())) states.add(a.path("state").asText());
        }
        return states;
    }
}
