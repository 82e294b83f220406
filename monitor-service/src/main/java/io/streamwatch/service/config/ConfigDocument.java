package io.streamwatch.service.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streamwatch.service.config.ConfigKeys.Key;
import io.streamwatch.service.config.ConfigKeys.Shape;
import io.streamwatch.service.config.Constraints.LinesAddedTo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * The configuration as a YAML tree, made ready for binding: unknown keys reported and removed,
 * defaults filled in, every scalar turned into trimmed text (as the environment gives them), and
 * token files read. All of it follows {@link ConfigKeys}.
 */
final class ConfigDocument {
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Problems problems;

    ConfigDocument(Problems problems) {
        this.problems = problems;
    }

    /** The file's top-level mapping (empty for no file or an empty file), or null when it cannot be read. */
    ObjectNode read(Path file) {
        if (file == null) return JsonNodeFactory.instance.objectNode();
        if (!Files.isRegularFile(file)) {
            problems.add("config file " + file + " does not exist or is not a file");
            return null;
        }
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) return JsonNodeFactory.instance.objectNode();
            if (node.isObject()) return (ObjectNode) node;
            problems.add("config file " + file + ": the top level must be a mapping of sections (server:, ingest:, ...)");
        } catch (StreamReadException e) {
            problems.add(duplicateKey(file, e));
        } catch (IOException e) {
            problems.add("config file " + file + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        return null;
    }

    private static String duplicateKey(Path file, StreamReadException e) {
        JsonParser p = e.getProcessor();
        String message = e.getOriginalMessage();
        if (p == null || message == null || !message.startsWith("Duplicate field")) {
            return "config file " + file + " is not valid YAML: " + firstLine(message);
        }
        return "config file " + file + ": key '" + path(p.getParsingContext()) + "' appears twice (line "
                + e.getLocation().getLineNr() + "); a second block would replace the first, so merge them into one";
    }

    /** Makes {@code node}, a mapping for {@code type} found at {@code path} ("" for the top), ready to bind. */
    void prepare(ObjectNode node, Class<? extends Record> type, String path) {
        List<Key> keys = ConfigKeys.of(type);
        List<String> names = keys.stream().map(Key::name).toList();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) {
                problems.add(unknownKey(path, name, names));
                it.remove();
            }
        }
        for (Key key : keys) {
            String at = path.isEmpty() ? key.name() : path + "." + key.name();
            JsonNode value = node.get(key.name());
            if (value == null || value.isNull() || isNullWord(value, key)) {
                absent(node, key, path.isEmpty());
            } else if (value.isValueNode()) {
                scalar(node, key, at, value);
            }
            value = node.get(key.name());
            if (value instanceof ObjectNode object && key.shape() == Shape.RECORD) {
                prepare(object, key.recordType(), at);
            } else if (value instanceof ArrayNode array && key.shape() == Shape.RECORD_LIST) {
                for (int i = 0; i < array.size(); i++) {
                    if (array.get(i) instanceof ObjectNode element) prepare(element, key.recordType(), at + "[" + i + "]");
                }
            } else if (value instanceof ArrayNode array && key.shape() == Shape.LIST) {
                for (int i = 0; i < array.size(); i++) {
                    if (array.get(i).isValueNode() && !array.get(i).isNull()) array.set(i, text(array.get(i), at + "[" + i + "]"));
                }
            } else if (value instanceof ObjectNode map && key.shape() == Shape.MAP) {
                map.fields().forEachRemaining(e -> {
                    if (e.getValue().isValueNode() && !e.getValue().isNull()) e.setValue(TextNode.valueOf(e.getValue().asText()));
                });
            }
            LinesAddedTo lines = key.component().getAnnotation(LinesAddedTo.class);
            if (lines != null && node.get(key.name()) != null) addLines(node, lines.value(), at, node.get(key.name()).asText());
        }
    }

    /** A missing key: its default, an empty list or mapping, a section with its defaults, or nothing. */
    private static void absent(ObjectNode node, Key key, boolean section) {
        String name = key.name();
        switch (key.shape()) {
            case LIST, RECORD_LIST -> node.putArray(name);
            case MAP -> node.putObject(name);
            case RECORD -> {
                if (section) node.putObject(name);
                else node.remove(name);
            }
            case SCALAR -> {
                if (key.defaultText() != null) node.put(name, key.defaultText());
                else node.remove(name);
            }
        }
    }

    /** "null" written as text (e.g. in the environment) clears a key that has no default. */
    private static boolean isNullWord(JsonNode value, Key key) {
        return key.shape() == Shape.SCALAR && key.defaultText() == null && value.isTextual()
                && value.asText().trim().equalsIgnoreCase("null");
    }

    private void scalar(ObjectNode node, Key key, String at, JsonNode value) {
        if (key.shape() == Shape.SCALAR || key.component().getType() == ServiceConfig.Secrets.class) {
            TextNode text = text(value, at);
            if (text == null) absent(node, key, false);
            else node.set(key.name(), text);
        }
    }

    /** The value as trimmed text, or null (and a problem) when it is empty. */
    private TextNode text(JsonNode value, String at) {
        String s = value.asText().trim();
        if (!s.isEmpty()) return TextNode.valueOf(s);
        problems.add(at, "must not be empty; give a value or leave the key out");
        return null;
    }

    private void addLines(ObjectNode node, String target, String at, String file) {
        JsonNode existing = node.get(target);
        ArrayNode into = existing instanceof ArrayNode a ? a : node.putArray(target);
        if (existing != null && existing.isValueNode()) into.add(existing);
        try {
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                String t = line.trim();
                if (!t.isEmpty() && !t.startsWith("#")) into.add(t);
            }
        } catch (IOException | RuntimeException e) {
            problems.add(at, "cannot read '" + file + "' (" + e.getClass().getSimpleName()
                    + "); check the path and that the service user may read it");
        }
    }

    private static String unknownKey(String path, String name, List<String> known) {
        String key = path.isEmpty() ? name : path + "." + name;
        String guess = ConfigKeys.closest(name, known);
        return "unknown key '" + key + "'" + (guess == null ? "" : "; did you mean '" + guess + "'?")
                + (path.isEmpty() ? " (known sections: " : " (known keys in " + path + ": ") + String.join(", ", known) + ")";
    }

    /** The key path of the parser's position, e.g. {@code alerting.receivers[0].type}. */
    static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) parts.push("[" + c.getCurrentIndex() + "]");
            else if (c.getCurrentName() != null) parts.push(c.getCurrentName());
        }
        StringBuilder b = new StringBuilder();
        for (String part : parts) {
            if (b.length() > 0 && !part.startsWith("[")) b.append('.');
            b.append(part);
        }
        return b.toString();
    }

    /** The path of the value the parser is at, also when that value is a mapping or list just opened. */
    static String path(JsonParser p) {
        JsonToken t = p.currentToken();
        JsonStreamContext c = p.getParsingContext();
        return path(t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY ? c.getParent() : c);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
