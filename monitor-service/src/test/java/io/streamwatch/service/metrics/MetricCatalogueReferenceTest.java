package io.streamwatch.service.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's metric table and the catalogue name the same series with the same labels. */
class MetricCatalogueReferenceTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern NAME = Pattern.compile("`([a-z_*]+)(\\{([a-z_,]*)\\})?`");

    /** A series named in the README's table: labels null when the row gives none. */
    record Documented(String name, List<String> labels) {}

    static List<Documented> readmeTable() throws Exception {
        String text = Files.readString(README);
        int start = text.indexOf("\n## Metrics\n");
        assertTrue(start >= 0, "README.md has no '## Metrics' section");
        int end = text.indexOf("\n## ", start + 1);
        List<Documented> out = new ArrayList<>();
        for (String line : text.substring(start, end).split("\n")) {
            if (!line.startsWith("| `")) continue;
            String firstCell = line.substring(1, line.indexOf('|', 1));
            Matcher m = NAME.matcher(firstCell);
            while (m.find()) {
                List<String> labels = m.group(2) == null ? null : List.of(m.group(3).split(","));
                out.add(new Documented(m.group(1), labels));
            }
        }
        return out;
    }

    @Test
    void everyCataloguedSeriesIsInTheReadmeWithItsLabelsAndNothingElseIs() throws Exception {
        List<Documented> documented = readmeTable();
        List<String> wildcards =
                documented.stream()
                        .map(Documented::name)
                        .filter(n -> n.endsWith("*"))
                        .map(n -> n.substring(0, n.length() - 1))
                        .toList();
        Map<String, List<String>> readme = new TreeMap<>();
        for (Documented d : documented) {
            if (!d.name().endsWith("*")) readme.put(d.name(), d.labels());
        }

        TreeSet<String> missingFromReadme = new TreeSet<>();
        for (Series m : MetricCatalogue.all()) {
            String name = m.exposedName();
            if (!readme.containsKey(name)) {
                if (wildcards.stream().noneMatch(name::startsWith)) missingFromReadme.add(name);
                continue;
            }
            List<String> labels = readme.get(name);
            if (labels != null) {
                assertEquals(m.labels(), labels, "labels of " + name + " in README.md");
            } else {
                assertTrue(
                        m.labels().isEmpty() || m.labels().equals(List.of("app")),
                        name
                                + " has labels "
                                + m.labels()
                                + "; README.md must spell them out ({...})");
            }
        }
        assertEquals(new TreeSet<>(), missingFromReadme, "in the catalogue, not in README.md");

        TreeSet<String> notCatalogued = new TreeSet<>(readme.keySet());
        for (Series m : MetricCatalogue.all()) notCatalogued.remove(m.exposedName());
        assertEquals(new TreeSet<>(), notCatalogued, "in README.md, not in the catalogue");
    }
}
