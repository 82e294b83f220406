package io.streamwatch.service.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * docs/RUNBOOK.md, packaged in the jar, served as a small HTML page so the {@code runbook_url} of a
 * page ({@code /runbook#streamingbatchtooslow}) lands on the right section. Understands the subset
 * of Markdown the runbook uses: headings, bullet lists, paragraphs, inline code, bold.
 */
final class RunbookPage {
    private RunbookPage() {}

    static String load() {
        try (InputStream in = RunbookPage.class.getResourceAsStream("/runbook/RUNBOOK.md")) {
            if (in == null) return html("Runbook", "<p>The runbook is not packaged in this build; see docs/RUNBOOK.md in the repository.</p>");
            return render(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return html("Runbook", "<p>The runbook could not be read: " + escape(e.getMessage()) + "</p>");
        }
    }

    static String render(String markdown) {
        StringBuilder body = new StringBuilder();
        boolean inList = false;
        boolean inPara = false;
        String title = "Streamwatch runbook";
        for (String raw : markdown.split("\n", -1)) {
            String line = raw.stripTrailing();
            boolean bullet = line.startsWith("- ") || line.startsWith("* ");
            if (inList && !bullet && !(line.startsWith("  ") && !line.isBlank())) {
                body.append("</ul>\n");
                inList = false;
            }
            if (line.isBlank() || line.startsWith("#") || bullet) {
                if (inPara) {
                    body.append("</p>\n");
                    inPara = false;
                }
            }
            if (line.startsWith("#")) {
                int level = Math.min(6, (int) line.chars().takeWhile(c -> c == '#').count());
                String text = line.substring(level).strip();
                if (level == 1) title = text;
                body.append("<h").append(level).append(" id=\"").append(anchor(text)).append("\">")
                        .append(inline(text)).append("</h").append(level).append(">\n");
            } else if (bullet) {
                if (!inList) {
                    body.append("<ul>\n");
                    inList = true;
                }
                body.append("<li>").append(inline(line.substring(2).strip())).append("</li>\n");
            } else if (!line.isBlank()) {
                if (inList) {
                    body.append(' ').append(inline(line.strip()));
                    continue;
                }
                if (!inPara) {
                    body.append("<p>");
                    inPara = true;
                } else {
                    body.append(' ');
                }
                body.append(inline(line.strip()));
            }
        }
        if (inList) body.append("</ul>\n");
        if (inPara) body.append("</p>\n");
        return html(title, body.toString());
    }

    /** GitHub-style anchor: lower case, spaces to dashes, punctuation dropped. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[`*]", "").replaceAll("[^\\p{L}\\p{N} -]", "").trim().replace(' ', '-');
    }

    private static String inline(String text) {
        return escape(text).replaceAll("`([^`]+)`", "<code>$1</code>").replaceAll("\\*\\*([^*]+)\\*\\*", "<strong>$1</strong>");
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String html(String title, String body) {
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>"
                + "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.5;padding:0 1em}"
                + "code{background:#f3f3f3;padding:0 .2em}h2{border-top:1px solid #ddd;padding-top:1em}</style>"
                + "</head><body>\n" + body + "</body></html>\n";
    }
}
