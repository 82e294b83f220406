package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link Browser} fixture itself, against a trivial loopback page: Debian's Chromium runs the
 * page's script, and what the page logs as an error reaches {@link Browser#severe} (so the status
 * page tests' "no console errors" can fail).
 */
class BrowserIT {
    private static final String PAGE =
            "<!doctype html><html><head><title>smoke</title><script src=\"/app.js\"></script>"
                    + "</head><body data-page=\"smoke\"><h1 id=\"t\">static</h1></body></html>";
    private static final String SCRIPT =
            "addEventListener('DOMContentLoaded', () => {"
                    + " document.getElementById('t').textContent = 'ran';"
                    + " console.error('planned smoke error'); });";

    @Test
    void chromiumRunsALoopbackPagesScriptAndItsConsoleErrorsAreSeen() throws Exception {
        HttpServer http =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext(
                "/",
                x -> {
                    boolean js = x.getRequestURI().getPath().equals("/app.js");
                    byte[] body = (js ? SCRIPT : PAGE).getBytes(StandardCharsets.UTF_8);
                    x.getResponseHeaders()
                            .set("Content-Type", js ? "text/javascript" : "text/html");
                    x.sendResponseHeaders(200, body.length);
                    x.getResponseBody().write(body);
                    x.close();
                });
        http.start();
        try (Browser browser = Browser.start()) {
            browser.open("http://127.0.0.1:" + http.getAddress().getPort() + "/");
            browser.until(
                    Duration.ofSeconds(10),
                    () -> "the page's script to run",
                    () -> "ran".equals(browser.first("#t").getText()));
            assertEquals("smoke", browser.js("document.body.dataset.page"));
            browser.until(
                    Duration.ofSeconds(5),
                    () -> "the console error; console: " + browser.console(),
                    () ->
                            browser.severe().stream()
                                    .anyMatch(s -> s.contains("planned smoke error")));
            List<String> cleared = browser.clearConsole();
            assertTrue(!cleared.isEmpty() && browser.severe().isEmpty(), "cleared: " + cleared);
        } finally {
            http.stop(0);
        }
    }
}
