package io.streamwatch.service.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.Heading;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * docs/RUNBOOK.md, packaged in the jar, served as an HTML page so the {@code runbook_url} of a page
 * ({@code /runbook#streamingbatchtooslow}) lands on the right section. CommonMark with GitHub
 * tables renders it; every heading gets the GitHub-style {@link #anchor} as its id. Raw HTML in the
 * Markdown is shown as text, never passed through, and unsafe link schemes are dropped.
 */
final class RunbookPage {
    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();
    private static final HtmlRenderer RENDERER =
            HtmlRenderer.builder()
                    .extensions(EXTENSIONS)
                    .escapeHtml(true)
                    .sanitizeUrls(true)
                    .attributeProviderFactory(
                            context ->
                                    (node, tag, attributes) -> {
                                        if (node instanceof Heading)
                                            attributes.put("id", anchor(text(node)));
                                    })
                    .build();

    private RunbookPage() {}

    static String load() {
        try (InputStream in = RunbookPage.class.getResourceAsStream("/runbook/RUNBOOK.md")) {
            if (in == null)
                return html(
                        "Runbook",
                        "<p>The runbook is not packaged in this build; see docs/RUNBOOK.md in the repository.</p>");
            return render(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return html(
                    "Runbook",
                    "<p>The runbook could not be read: " + escape(e.getMessage()) + "</p>");
        }
    }

    static String render(String markdown) {
        Node document = PARSER.parse(markdown);
        return html(title(document), RENDERER.render(document));
    }

    /** GitHub-style anchor: lower case, spaces to dashes, punctuation dropped. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT)
                .replaceAll("[`*]", "")
                .replaceAll("[^\\p{L}\\p{N} -]", "")
                .trim()
                .replace(' ', '-');
    }

    /** The first level-1 heading's text, else a default. */
    private static String title(Node document) {
        for (Node n = document.getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof Heading h && h.getLevel() == 1) return text(h);
        }
        return "Streamwatch runbook";
    }

    /** What a heading reads as: its text and code spans, without markup. */
    private static String text(Node node) {
        StringBuilder out = new StringBuilder();
        node.accept(
                new AbstractVisitor() {
                    @Override
                    public void visit(Text text) {
                        out.append(text.getLiteral());
                    }

                    @Override
                    public void visit(Code code) {
                        out.append(code.getLiteral());
                    }
                });
        return out.toString();
    }

    private static String escape(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&quot;");
    }

    private static String html(String title, String body) {
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>"
                + escape(title)
                + "</title>"
                + "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.5;padding:0 1em}"
                + "code{background:#f3f3f3;padding:0 .2em}pre{background:#f3f3f3;padding:.5em;overflow-x:auto}"
                + "pre code{padding:0}table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:.2em .5em}"
                + "h2{border-top:1px solid #ddd;padding-top:1em}</style>"
                + "</head><body>\n"
                + body
                + "</body></html>\n";
    }
}
