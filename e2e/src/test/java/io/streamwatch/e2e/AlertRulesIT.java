package io.streamwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamwatch.testkit.Promtool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** alert-rules/ checked and unit-tested by the real promtool. */
class AlertRulesIT {
    static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("alert-rules"))) dir = dir.getParent();
        if (dir == null)
            throw new IllegalStateException(
                    "cannot find the repository root (no alert-rules/ above "
                            + Path.of("").toAbsolutePath()
                            + ")");
        return dir;
    }

    static String promtool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Promtool.binary().toString()));
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd)
                        .directory(repo().toFile())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, p.exitValue(), String.join(" ", args) + ":\n" + out);
        return out;
    }

    private static List<String> files(String dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(repo().resolve(dir))) {
            return s.filter(p -> p.toString().endsWith(suffix))
                    .map(p -> repo().relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void everyRuleFileIsValid() throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "rules"));
        List<String> rules = files("alert-rules", ".yml");
        assertTrue(rules.size() >= 2, rules.toString());
        args.addAll(rules);
        String out = promtool(args.toArray(String[]::new));
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void everyRuleFiresAndStaysQuietWhereItShould() throws Exception {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        List<String> tests = files("alert-rules/tests", ".yml");
        assertTrue(!tests.isEmpty());
        args.addAll(tests);
        promtool(args.toArray(String[]::new));
        // Every alert of every rule file has a unit test that loads that file.
        for (String ruleFile : alertFiles()) {
            String rules = Files.readString(repo().resolve(ruleFile));
            String name = Path.of(ruleFile).getFileName().toString();
            StringBuilder testText = new StringBuilder();
            for (String t : tests) {
                String text = Files.readString(repo().resolve(t));
                if (text.contains("../" + name)) testText.append(text);
            }
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("- alert: (\\w+)").matcher(rules);
            while (m.find()) {
                assertTrue(
                        testText.toString().contains("alertname: " + m.group(1)),
                        "no promtool test of " + name + " for " + m.group(1));
            }
        }
    }

    /** The rule files with alerts (the app ones and the query ones). */
    static List<String> alertFiles() throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : files("alert-rules", ".yml"))
            if (Files.readString(repo().resolve(f)).contains("- alert: ")) out.add(f);
        assertTrue(out.size() >= 2, "alert files: " + out);
        return out;
    }

    @Test
    void everyAlertHasARunbookSectionUnderItsAnchor() throws Exception {
        String runbook = Files.readString(repo().resolve("docs/RUNBOOK.md"));
        for (String ruleFile : alertFiles()) {
            String rules = Files.readString(repo().resolve(ruleFile));
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("runbook#(\\w+)").matcher(rules);
            while (m.find()) {
                String anchor = m.group(1);
                assertTrue(
                        runbook.lines()
                                .anyMatch(
                                        l ->
                                                l.startsWith("## ")
                                                        && l.substring(3)
                                                                .trim()
                                                                .toLowerCase(java.util.Locale.ROOT)
                                                                .equals(anchor)),
                        ruleFile
                                + " links to runbook#"
                                + anchor
                                + ", a section docs/RUNBOOK.md lacks");
            }
        }
    }
}
