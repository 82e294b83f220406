package io.streamwatch.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's configuration reference says what the records say: same keys, same defaults. */
class ConfigReferenceTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern ROW =
            Pattern.compile("\\| `([A-Za-z.]+)` \\| (none|`([^`]+)`) \\|.*");

    private static List<String> section() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int start = lines.indexOf("## Service configuration");
        assertTrue(start >= 0, "README.md has no '## Service configuration' section");
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("## ")) end++;
        return lines.subList(start, end);
    }

    /** key → default as written (null for "none"), from the one table of the section. */
    private static Map<String, String> table() throws IOException {
        List<String> lines = section();
        int header = lines.indexOf("| key | default | meaning |");
        assertTrue(header >= 0, "no configuration table in the README");
        Map<String, String> rows = new LinkedHashMap<>();
        int i = header + 2;
        for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            Matcher m = ROW.matcher(lines.get(i));
            assertTrue(
                    m.matches(),
                    "README row is not '| `key` | `default` or none | meaning |': " + lines.get(i));
            assertEquals(
                    null,
                    rows.put(m.group(1), m.group(3)),
                    "README lists " + m.group(1) + " twice");
        }
        for (String rest : lines.subList(i, lines.size())) {
            assertFalse(
                    rest.startsWith("| `"),
                    "the configuration table is split (a blank line ends it early) before: "
                            + rest);
        }
        return rows;
    }

    private static Map<String, String> records() {
        Map<String, String> keys = new LinkedHashMap<>();
        ConfigKeys.leaves().forEach(l -> keys.put(l.path(), l.key().defaultText()));
        return keys;
    }

    @Test
    void theReadmeTableListsExactlyTheKeysOfTheRecords() throws IOException {
        Set<String> inRecords = records().keySet();
        Set<String> inReadme = table().keySet();
        assertEquals(
                Set.of(),
                difference(inRecords, inReadme),
                "keys of the records missing from the README table");
        assertEquals(
                Set.of(),
                difference(inReadme, inRecords),
                "keys in the README table that the records do not have");
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    @Test
    void theReadmeTableShowsTheDefaultsOfTheRecords() throws IOException {
        Map<String, String> table = table();
        records()
                .forEach(
                        (key, def) ->
                                assertEquals(
                                        def,
                                        table.get(key),
                                        "default of " + key + " (none in README = no default)"));
    }

    @Test
    void theReadmeExampleIsAValidFileWithTheDefaults(@TempDir Path dir) throws IOException {
        String text = String.join("\n", section());
        int open = text.indexOf("```yaml\n");
        int close = text.indexOf("```", open + 8);
        Path file = Files.writeString(dir.resolve("readme.yaml"), text.substring(open + 8, close));
        assertEquals(
                ConfigLoader.load(null, Map.of()).config(),
                ConfigLoader.load(file, Map.of()).config());
    }
}
