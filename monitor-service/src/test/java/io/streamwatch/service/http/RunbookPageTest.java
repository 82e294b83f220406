package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunbookPageTest {
    @Test
    void headingsGetTheAnchorsAlertLinksPointAt() {
        String html = RunbookPage.render("# Streamwatch runbook\n\n## StreamingBatchTooSlow\n\nProcessing is **slow**.\n- more `executors`\n- a larger interval\n");
        assertTrue(html.contains("<h2 id=\"streamingbatchtooslow\">StreamingBatchTooSlow</h2>"), html);
        assertTrue(html.contains("<p>Processing is <strong>slow</strong>.</p>"), html);
        assertTrue(html.contains("<ul>\n<li>more <code>executors</code></li>\n<li>a larger interval</li>\n</ul>"), html);
        assertTrue(html.contains("<title>Streamwatch runbook</title>"), html);
    }

    @Test
    void markupInTheTextIsEscaped() {
        assertTrue(RunbookPage.render("<script>alert(1)</script>").contains("&lt;script&gt;"));
    }

    @Test
    void anchorsFollowGithubsRules() {
        assertEquals("streamingappdown", RunbookPage.anchor("StreamingAppDown"));
        assertEquals("how-to-read-an-alert", RunbookPage.anchor("How to read an alert"));
    }
}
