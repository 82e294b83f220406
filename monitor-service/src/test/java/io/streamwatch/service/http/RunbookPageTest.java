package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunbookPageTest {
    @Test
    void headingsGetTheAnchorsAlertLinksPointAt() {
        String html =
                RunbookPage.render(
                        "# Streamwatch runbook\n\n## StreamingBatchTooSlow\n\nProcessing is **slow**.\n- more `executors`\n- a larger interval\n");
        assertTrue(
                html.contains("<h2 id=\"streamingbatchtooslow\">StreamingBatchTooSlow</h2>"), html);
        assertTrue(html.contains("<p>Processing is <strong>slow</strong>.</p>"), html);
        assertTrue(
                html.contains(
                        "<ul>\n<li>more <code>executors</code></li>\n<li>a larger interval</li>\n</ul>"),
                html);
        assertTrue(html.contains("<title>Streamwatch runbook</title>"), html);
    }

    @Test
    void theRunbookHasASectionForEveryAlertTheRulesLinkTo() {
        String html = RunbookPage.load();
        for (String alert :
                new String[] {
                    "StreamingBatchTooSlow",
                    "StreamingDelayGrowing",
                    "StreamingAppDown",
                    "StreamingAppStalled",
                    "StreamingBatchFailed",
                    "StreamingReceiverError",
                    "KafkaLagGrowing",
                    "StreamingQueryFailed",
                    "StreamingQueryStalled",
                    "StreamingStateGrowing"
                }) {
            assertTrue(
                    html.contains(
                            "<h2 id=\""
                                    + alert.toLowerCase(java.util.Locale.ROOT)
                                    + "\">"
                                    + alert
                                    + "</h2>"),
                    alert + " has no anchored section");
        }
    }

    @Test
    void tablesRenderAsTables() {
        String html =
                RunbookPage.render(
                        "| key | meaning |\n|---|---|\n| `slowBatches` | batches in a row |\n");
        assertTrue(html.contains("<table>"), html);
        assertTrue(html.contains("<th>key</th>"), html);
        assertTrue(html.contains("<td><code>slowBatches</code></td>"), html);
    }

    @Test
    void fencedBlocksRenderAsPreformattedCode() {
        String html =
                RunbookPage.render(
                        "Run:\n\n```sh\ncurl -s http://127.0.0.1:9470/metrics | grep '<app>'\n```\n");
        assertTrue(
                html.contains(
                        "<pre><code class=\"language-sh\">curl -s http://127.0.0.1:9470/metrics | grep '&lt;app&gt;'\n</code></pre>"),
                html);
    }

    @Test
    void markupInTheTextIsEscaped() {
        assertTrue(RunbookPage.render("<script>alert(1)</script>").contains("&lt;script&gt;"));
        String inline =
                RunbookPage.render(
                        "Click <img src=x onerror=alert(1)> [here](javascript:alert(1))\n");
        assertFalse(inline.contains("<img"), inline);
        assertFalse(inline.contains("javascript:"), inline);
    }

    @Test
    void anchorsFollowGithubsRules() {
        assertEquals("streamingappdown", RunbookPage.anchor("StreamingAppDown"));
        assertEquals("how-to-read-an-alert", RunbookPage.anchor("How to read an alert"));
        assertTrue(
                RunbookPage.render("## The `appDownAfter` *setting*\n")
                        .contains("<h2 id=\"the-appdownafter-setting\">"));
    }
}
