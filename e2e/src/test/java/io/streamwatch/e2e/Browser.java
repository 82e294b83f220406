package io.streamwatch.e2e;

import io.streamwatch.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both given by path: Selenium
 * Manager (which would download a driver and a browser) never runs, and {@link #start} proves it by
 * pointing its cache at an empty directory that must stay empty. One fresh profile per browser; the
 * browser console is kept for {@link #console}.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;
    private final Path seleniumCache;
    private final List<LogEntry> console = new ArrayList<>();

    private Browser(
            ChromeDriverService service, ChromeDriver driver, Path profile, Path seleniumCache) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
        this.seleniumCache = seleniumCache;
    }

    /** Starts a headless Chromium with a fresh profile and a 1280x900 window. */
    static Browser start() throws IOException {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p))
                throw new IllegalStateException(
                        p
                                + " is missing: install Debian's chromium and chromium-driver"
                                + " (./run-tests.sh does: apt-get install chromium chromium-driver)");
        }
        Path profile = Files.createTempDirectory("streamwatch-chromium");
        Path seleniumCache = Files.createTempDirectory("streamwatch-selenium-cache");
        System.setProperty("SE_CACHE_PATH", seleniumCache.toString());
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver driver = new ChromeDriver(service, options);
        Browser browser = new Browser(service, driver, profile, seleniumCache);
        try (Stream<Path> s = Files.list(seleniumCache)) {
            List<Path> found = s.toList();
            if (!found.isEmpty()) {
                browser.close();
                throw new IllegalStateException(
                        "Selenium Manager ran (it filled its cache "
                                + seleniumCache
                                + ": "
                                + found
                                + "); the driver must be given by path");
            }
        }
        return browser;
    }

    ChromeDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    String url() {
        return driver.getCurrentUrl();
    }

    /** The result of {@code return <expression>} in the page. */
    Object js(String expression, Object... args) {
        return ((JavascriptExecutor) driver).executeScript("return " + expression + ";", args);
    }

    /** {@code document.body.dataset.refreshes} as a number, 0 before the first refresh. */
    long refreshes() {
        Object r = js("document.body.dataset.refreshes || '0'");
        return Long.parseLong(String.valueOf(r));
    }

    /** Waits until the page has completed a data refresh after the {@code after}-th. */
    long awaitRefreshAfter(long after, Duration timeout) {
        return Await.result(
                timeout,
                Duration.ofMillis(100),
                () -> "a data refresh of " + url() + " after #" + after,
                () -> {
                    long r = refreshes();
                    return r > after ? r : null;
                });
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The first element matching {@code css}, or null. */
    WebElement first(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? null : found.get(0);
    }

    void awaitPresent(Duration timeout, String css) {
        Await.until(timeout, () -> css + " on " + url(), () -> first(css) != null);
    }

    void until(Duration timeout, Supplier<String> what, Supplier<Boolean> condition) {
        Await.until(timeout, what, () -> Boolean.TRUE.equals(condition.get()));
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** A PNG of the viewport, written to {@code file}. */
    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Every console entry since the browser started (the driver's buffer is drained into it). */
    List<LogEntry> console() {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
        return List.copyOf(console);
    }

    /** The SEVERE console entries among {@link #console}, as text. */
    List<String> severe() {
        return console().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(e -> e.getLevel() + " " + e.getMessage())
                .toList();
    }

    /** Forgets the console so far (after a step whose errors are expected, such as a 401). */
    List<String> clearConsole() {
        List<String> before = severe();
        console.clear();
        return before;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } catch (RuntimeException e) {
            // the browser went away already
        }
        service.stop();
        delete(profile);
        delete(seleniumCache);
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
