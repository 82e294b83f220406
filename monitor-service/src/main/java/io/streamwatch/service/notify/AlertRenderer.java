package io.streamwatch.service.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an alert's facts into the {@link Alert} every receiver gets: its labels ({@code alertname},
 * {@code app} or {@code group}, {@code query} for a Structured Streaming query's alert, {@code
 * severity}), its annotations ({@code summary}, {@code description}, {@code runbook_url}, and
 * {@code app_url} or {@code alerts_url}, {@code query_url} for a query, and {@code api_url}, the
 * same subject as JSON) and the link back to Streamwatch: the status page of the app ({@code
 * /apps/<app>}, a query's alert at {@code #query-<query>}), or the overview ({@code /}) for a
 * consumer group. All links start with the service's external URL.
 */
public final class AlertRenderer {
    /**
     * The subject label of an app's alerts; every other subject (a consumer group) links to the
     * alert list.
     */
    private static final String APP = "app";

    private final String externalUrl;

    /**
     * @param externalUrl where Streamwatch is reachable; trailing slashes are dropped
     */
    public AlertRenderer(String externalUrl) {
        this.externalUrl = externalUrl.replaceAll("/+$", "");
    }

    /**
     * @param label what {@code subject} is: {@code app} or {@code group}
     * @param endsAt null while firing, the resolve time once resolved
     */
    public Alert alert(
            String alertname,
            Severity severity,
            String label,
            String subject,
            String summary,
            String description,
            Instant startsAt,
            Instant endsAt) {
        return alert(
                alertname, severity, label, subject, null, summary, description, startsAt, endsAt);
    }

    /**
     * @param label what {@code subject} is: {@code app} or {@code group}
     * @param query the query key of a Structured Streaming query's alert (its app in {@code
     *     subject}): labelled {@code query}, linked to its section of the app's page ({@code
     *     query_url}); null for every other alert
     * @param endsAt null while firing, the resolve time once resolved
     */
    public Alert alert(
            String alertname,
            Severity severity,
            String label,
            String subject,
            String query,
            String summary,
            String description,
            Instant startsAt,
            Instant endsAt) {
        boolean app = label.equals(APP);
        String link = app ? pageUrl(subject) : externalUrl + "/";
        String api = app ? apiUrl(subject) : externalUrl + "/api/v1/alerts?state=all";
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", summary);
        if (description != null) annotations.put("description", description);
        annotations.put("runbook_url", runbookUrl(alertname));
        annotations.put(app ? "app_url" : "alerts_url", link);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", alertname);
        labels.put(label, subject);
        if (query != null) {
            labels.put("query", query);
            link = pageUrl(subject) + "#query-" + encode(query);
            api = apiUrl(subject) + "/queries";
            annotations.put("query_url", link);
        }
        annotations.put("api_url", api);
        labels.put("severity", severity.label());
        return new Alert(
                alertname, subject, severity.label(), labels, annotations, startsAt, endsAt, link);
    }

    /**
     * The runbook section for {@code alertname}: {@code <external URL>/runbook#<alertname in lower
     * case>}.
     */
    public String runbookUrl(String alertname) {
        return externalUrl + "/runbook#" + alertname.toLowerCase(Locale.ROOT);
    }

    private String pageUrl(String app) {
        return externalUrl + "/apps/" + encode(app);
    }

    private String apiUrl(String app) {
        return externalUrl + "/api/v1/apps/" + encode(app);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
