package io.streamwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of monitor-service form a directed acyclic graph: each stage depends only on stages
 * before it. Read from the main source tree: every reference to {@code io.streamwatch.service.…}
 * outside comments and string literals (imports, static imports, fully qualified names), the root
 * package included.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String ROOT = "io.streamwatch.service";
    private static final Pattern REFERENCE =
            Pattern.compile(
                    "\\bio\\.streamwatch\\.service((?:\\.[a-z_][a-z0-9_]*)*)(?:\\.[A-Z]|\\.\\*)");
    private static final Pattern PACKAGE =
            Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> graph = dependencies();
        assertTrue(graph.size() > 5, "the source tree was found: " + graph.keySet());
        List<List<String>> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            List<String> cycle = cycleThrough(start, graph);
            if (cycle != null) cycles.add(cycle);
        }
        assertEquals(
                List.of(),
                cycles,
                "package cycles (each as a path back to its start); dependencies: " + graph);
    }

    @Test
    void stateDependsOnTheModelOnly() throws IOException {
        assertEquals(
                Set.of("model"),
                dependencies().get("state"),
                "what changes state is the model; everything else reads it");
    }

    @Test
    void theReaderSeesACycleWhenThereIsOne() {
        Map<String, Set<String>> graph =
                new TreeMap<>(
                        Map.of(
                                "a",
                                Set.of("b"),
                                "b",
                                Set.of("c"),
                                "c",
                                Set.of("a"),
                                "d",
                                Set.of("a")));
        assertEquals(List.of("a", "b", "c", "a"), cycleThrough("a", graph));
        assertEquals(null, cycleThrough("d", graph));
        assertEquals(
                Set.of("state", "ingest"),
                references(
                        "package "
                                + ROOT
                                + ".x;\nimport "
                                + ROOT
                                + ".state.AppRegistry;\n"
                                + "// import "
                                + ROOT
                                + ".rules.AlertEngine;\nclass X { "
                                + ROOT
                                + ".ingest.RejectedException e; String s = \""
                                + ROOT
                                + ".notify.Alert\"; }"));
        assertEquals(
                Set.of("(root)", "poll.kafka"),
                references(
                        "import "
                                + ROOT
                                + ".StreamwatchService;\nimport "
                                + ROOT
                                + ".poll.kafka.*;"));
    }

    /**
     * Package (relative to the root, "(root)" for the root itself) to the packages its code names.
     */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES.resolve(ROOT.replace('.', '/')))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f);
                Matcher m = PACKAGE.matcher(source);
                assertTrue(m.find(), "package declaration in " + f);
                String pkg = relative(m.group(1));
                Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (String d : references(source)) {
                    if (!d.equals(pkg)) deps.add(d);
                }
            }
        }
        return graph;
    }

    private static Set<String> references(String source) {
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(withoutCommentsAndStrings(source));
        while (m.find()) {
            String sub = m.group(1);
            out.add(sub.isEmpty() ? "(root)" : sub.substring(1));
        }
        // The file's own package declaration is not a dependency.
        Matcher own = PACKAGE.matcher(source);
        if (own.find()) out.remove(relative(own.group(1)));
        return out;
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "(root)" : pkg.substring(ROOT.length() + 1);
    }

    private static String withoutCommentsAndStrings(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\n])*\"", "\"\"")
                .replaceAll("//[^\n]*", " ");
    }

    /** A path from {@code start} back to itself, or null. */
    private static List<String> cycleThrough(String start, Map<String, Set<String>> graph) {
        return search(start, start, graph, new ArrayList<>(List.of(start)), new TreeSet<>());
    }

    private static List<String> search(
            String at,
            String start,
            Map<String, Set<String>> graph,
            List<String> path,
            Set<String> visited) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                return cycle;
            }
            if (visited.add(next)) {
                path.add(next);
                List<String> found = search(next, start, graph, path, visited);
                if (found != null) return found;
                path.remove(path.size() - 1);
            }
        }
        return null;
    }
}
