package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.testkit.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Static sanity of the Grafana dashboards; DashboardQueriesIT sends every query to a real
 * Prometheus.
 */
class DashboardsIT {
    static List<Path> dashboards() throws IOException {
        try (Stream<Path> s = Files.list(AlertRulesIT.repo().resolve("dashboards"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            for (JsonNode nested : p.path("panels")) out.add(nested);
        }
        return out;
    }

    /** Every PromQL expression of a dashboard: panel targets and query variables. */
    static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : panels(dashboard)) {
            for (JsonNode t : p.path("targets")) out.add(t.path("expr").asText());
        }
        return out;
    }

    @Test
    void thereAreTheDashboardsTheOperatorsNeed() throws Exception {
        List<String> titles = new ArrayList<>();
        for (Path p : dashboards())
            titles.add(ServiceProcess.JSON.readTree(p.toFile()).path("title").asText());
        assertEquals(
                List.of(
                        "Streamwatch / App",
                        "Streamwatch / Capacity review",
                        "Streamwatch / Overview",
                        "Streamwatch / Query",
                        "Streamwatch / Service health"),
                titles.stream().sorted().toList());
    }

    @Test
    void everyDashboardIsSaneForProvisioning() throws Exception {
        Set<String> uids = new HashSet<>();
        for (Path file : dashboards()) {
            JsonNode d = ServiceProcess.JSON.readTree(file.toFile());
            String name = file.getFileName().toString();
            assertTrue(uids.add(d.path("uid").asText()), name + ": duplicate uid");
            assertFalse(
                    d.has("id") && !d.get("id").isNull(),
                    name + ": no fixed numeric id (provisioning assigns one)");
            Set<String> vars = new HashSet<>(List.of("__rate_interval", "__interval", "__range"));
            boolean datasourceVar = false;
            for (JsonNode v : d.path("templating").path("list")) {
                vars.add(v.path("name").asText());
                if (v.path("type").asText().equals("datasource")
                        && v.path("query").asText().equals("prometheus")) datasourceVar = true;
                if (v.path("type").asText().equals("query")) {
                    assertEquals(
                            "${datasource}",
                            v.path("datasource").path("uid").asText(),
                            name + ": variable " + v.path("name"));
                }
            }
            assertTrue(datasourceVar, name + ": the Prometheus datasource is a variable");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : panels(d)) {
                String panel = name + " panel '" + p.path("title").asText() + "'";
                assertTrue(ids.add(p.path("id").asInt()), panel + ": duplicate id " + p.path("id"));
                assertFalse(p.path("title").asText().isBlank(), name + ": a panel without a title");
                if (p.path("type").asText().equals("row")) continue;
                assertEquals(
                        "${datasource}",
                        p.path("datasource").path("uid").asText(),
                        panel + ": datasource");
                assertTrue(p.path("targets").size() > 0, panel + ": no query");
                for (JsonNode t : p.path("targets")) {
                    assertFalse(t.path("expr").asText().isBlank(), panel + ": empty query");
                    assertEquals(
                            "${datasource}",
                            t.path("datasource").path("uid").asText(),
                            panel + ": target datasource");
                    Matcher m = Pattern.compile("\\$\\{?(\\w+)").matcher(t.path("expr").asText());
                    while (m.find())
                        assertTrue(
                                vars.contains(m.group(1)),
                                panel + ": unknown variable $" + m.group(1));
                }
                JsonNode pos = p.path("gridPos");
                assertTrue(
                        pos.path("w").asInt() > 0
                                && pos.path("x").asInt() + pos.path("w").asInt() <= 24,
                        panel + ": grid position");
            }
        }
    }
}
