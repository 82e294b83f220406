package io.streamwatch.service.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
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
import java.util.Map;

/**
 * The configuration as a YAML tree, made ready for binding: unknown keys reported and removed,
 * defaults filled in, every scalar turned into trimmed text (as the environment gives them), and
 * token files read. All of it follows {@link ConfigKeys}.
 */
final class ConfigDocument {
    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Problems problems;

    ConfigDocument(Problems problems) {
        this.problems = problems;
    }

    /**
     * The file's top-level mapping (empty for no file or an empty file), or null when it cannot be
     * read.
     */
    ObjectNode read(Path file) {
        if (file == null) return JsonNodeFactory.instance.objectNode();
        if (!Files.isRegularFile(file)) {
            problems.add("config file " + file + " does not exist or is not a file");
            return null;
        }
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull())
                return JsonNodeFactory.instance.objectNode();
            if (node.isObject()) return (ObjectNode) node;
            problems.add(
                    "config file "
                            + file
                            + ": the top level must be a mapping of sections (server:, ingest:, ...)");
        } catch (StreamReadException e) {
            problems.add(duplicateKey(file, e));
        } catch (IOException e) {
            problems.add(
                    "config file " + file + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        return null;
    }

    private static String duplicateKey(Path file, StreamReadException e) {
        JsonParser p = e.getProcessor();
        String message = e.getOriginalMessage();
        if (p == null || message == null || !message.startsWith("Duplicate field")) {
            return "config file " + file + " is not valid YAML: " + firstLine(message);
        }
        return "config file "
                + file
                + ": key '"
                + path(p.getParsingContext())
                + "' appears twice (line "
                + e.getLocation().getLineNr()
                + "); a second block would replace the first, so merge them into one";
    }

    /**
     * Makes {@code node}, a mapping for {@code type} found at {@code path} ("" for the top), ready
     * to bind.
     */
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
            JsonNode prepared = null;
            if (value != null && !value.isNull() && !isNullWord(value, key)) {
                if (fits(value, key.shape())) prepared = prepared(value, key, at);
                else problems.add(at, expected(key.shape(), key));
            }
            if (prepared == null) absent(node, key, at, path.isEmpty());
            else node.set(key.name(), prepared);
            LinesAddedTo lines = key.component().getAnnotation(LinesAddedTo.class);
            if (lines != null && prepared != null)
                addLines(node, lines.value(), at, prepared.asText());
        }
    }

    private static boolean fits(JsonNode value, Shape shape) {
        return switch (shape) {
            case SCALAR -> value.isValueNode();
            case LIST, RECORD_LIST -> value.isArray();
            case RECORD, MAP -> value.isObject();
        };
    }

    private static String expected(Shape shape, Key key) {
        return switch (shape) {
            case SCALAR -> "must be a single value, not a list or mapping";
            case LIST -> "must be a list (in YAML [a, b]; in the environment a,b)";
            case RECORD ->
                    "must be a mapping of keys ("
                            + String.join(", ", names(key.recordType()))
                            + ")";
            case RECORD_LIST ->
                    "must be a list of mappings, each with keys ("
                            + String.join(", ", names(key.recordType()))
                            + ")";
            case MAP -> "must be a mapping of properties";
        };
    }

    private static List<String> names(Class<? extends Record> type) {
        return ConfigKeys.of(type).stream().map(Key::name).toList();
    }

    /**
     * The value ready to bind, or null when it is empty. An entry of a list that cannot be used
     * becomes null (keeping the positions of the others, which later problems name) and is reported
     * here.
     */
    private JsonNode prepared(JsonNode value, Key key, String at) {
        switch (key.shape()) {
            case SCALAR -> {
                return text(value, at);
            }
            case RECORD -> prepare((ObjectNode) value, key.recordType(), at);
            case RECORD_LIST, LIST -> {
                ArrayNode array = (ArrayNode) value;
                for (int i = 0; i < array.size(); i++) {
                    JsonNode e = array.get(i);
                    String where = at + "[" + i + "]";
                    if (key.shape() == Shape.LIST && e.isValueNode() && !e.isNull()) {
                        array.set(i, text(e, where));
                    } else if (key.shape() == Shape.RECORD_LIST && e.isObject()) {
                        prepare((ObjectNode) e, key.recordType(), where);
                    } else {
                        problems.add(
                                where,
                                key.shape() == Shape.RECORD_LIST
                                        ? expected(Shape.RECORD, key)
                                        : e.isNull()
                                                ? "must not be empty"
                                                : expected(Shape.SCALAR, key));
                        array.set(i, NullNode.instance);
                    }
                }
            }
            case MAP -> {
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                        e.setValue(TextNode.valueOf(e.getValue().asText()));
                    } else {
                        problems.add(at + "." + e.getKey(), "must be a single value");
                        it.remove();
                    }
                }
            }
        }
        return value;
    }

    /**
     * A missing key: its default, an empty list or mapping, a section with its defaults, or
     * nothing.
     */
    private void absent(ObjectNode node, Key key, String at, boolean section) {
        String name = key.name();
        switch (key.shape()) {
            case LIST, RECORD_LIST -> node.putArray(name);
            case MAP -> node.putObject(name);
            case RECORD -> {
                if (section) prepare(node.putObject(name), key.recordType(), at);
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
        return key.shape() == Shape.SCALAR
                && key.defaultText() == null
                && value.isTextual()
                && value.asText().trim().equalsIgnoreCase("null");
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
            problems.add(
                    at,
                    "cannot read '"
                            + file
                            + "' ("
                            + e.getClass().getSimpleName()
                            + "); check the path and that the service user may read it");
        }
    }

    private static String unknownKey(String path, String name, List<String> known) {
        String key = path.isEmpty() ? name : path + "." + name;
        String guess = ConfigKeys.closest(name, known);
        return "unknown key '"
                + key
                + "'"
                + (guess == null ? "" : "; did you mean '" + guess + "'?")
                + (path.isEmpty() ? " (known sections: " : " (known keys in " + path + ": ")
                + String.join(", ", known)
                + ")";
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

    /**
     * The path of the value the parser is at, also when that value is a mapping or list just
     * opened.
     */
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
