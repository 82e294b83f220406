package io.streamwatch.service.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What Jackson found wrong with a body, in the protocol's words: a field path and the problem,
 * never Jackson's class or feature names. Paths come from the parser's context (syntax and limits)
 * or from {@link JsonMappingException#getPath()} (shape), and "got ..." from the token the parser
 * stopped at (the body is bound as it is read, never held as a tree).
 */
final class JsonProblems {
    private static final Pattern UNPRINTABLE =
            Pattern.compile(
                    "[\\p{Cntrl}\\x{D800}-\\x{DFFF}\\x{2028}\\x{2029}\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]");
    static final String ENVELOPE = "{\"schema\":1,\"source\":{...},\"events\":[...]}";

    private JsonProblems() {}

    /** A body that is not JSON, or breaks a parser limit, at the parser's current position. */
    static RejectedException syntax(JsonParser p, JsonProcessingException e) {
        return RejectedException.badRequest(
                "body is not valid JSON" + where(p) + ": " + jsonProblem(e));
    }

    static RejectedException limit(JsonParser p, String jacksonMessage) {
        return RejectedException.badRequest("body" + where(p) + ": " + constraint(jacksonMessage));
    }

    /**
     * A JSON body whose shape is not the envelope's: an unknown field or a value of the wrong JSON
     * type.
     */
    static RejectedException shape(JsonMappingException e, JsonParser p) {
        List<JsonMappingException.Reference> refs = e.getPath();
        String path = path(refs);
        if (e instanceof UnrecognizedPropertyException u) {
            return RejectedException.badRequest(
                    path
                            + ": unknown field (allowed here: "
                            + allowed(u.getReferringClass())
                            + ")");
        }
        Class<?> expected =
                e instanceof InvalidTypeIdException
                        ? Wire.EventJson.class
                        : e instanceof MismatchedInputException m ? m.getTargetType() : null;
        if (expected == null || path.isEmpty()) {
            return RejectedException.badRequest(
                    (path.isEmpty() ? "body" : path) + ": does not fit the envelope " + ENVELOPE);
        }
        JsonParser at = e.getProcessor() instanceof JsonParser q ? q : p;
        if (expected == Wire.EventJson.class)
            return eventProblem(path, at, e instanceof InvalidTypeIdException i ? i : null);
        return RejectedException.badRequest(
                path + ": " + expected(expected) + ", got " + describe(at));
    }

    /**
     * Why an array element is not an event: not an object, or its {@code type} is missing, not a
     * name or unknown.
     */
    private static RejectedException eventProblem(
            String path, JsonParser at, InvalidTypeIdException typeProblem) {
        if (typeProblem == null)
            return RejectedException.badRequest(path + ": must be an object with a \"type\"");
        Fields f = new Fields(path + ".", 0);
        // at the type's value when there is one, else at the end of the event
        JsonToken type = at.currentToken();
        boolean atType = "type".equals(currentName(at));
        if (atType && type != null && type.isStructStart())
            return f.bad("type", "must be a string, got " + describe(at));
        if (atType
                && type != null
                && type.isScalarValue()
                && type != JsonToken.VALUE_STRING
                && type != JsonToken.VALUE_NULL)
            return f.bad("type", "must be a string, got " + describe(at));
        String name =
                f.name(
                        "type",
                        atType && type == JsonToken.VALUE_NULL ? null : typeProblem.getTypeId(),
                        50); // throws when absent, blank, too long or not one line
        return f.bad(
                "type",
                "unknown event type '"
                        + clip(name)
                        + "'; known: "
                        + String.join(", ", Wire.eventTypes()));
    }

    private static String expected(Class<?> target) {
        if (target == Long.class) return "must be a whole number";
        if (target == Double.class) return "must be a number";
        if (target == Boolean.class) return "must be true or false";
        if (target == String.class) return "must be a string";
        if (Collection.class.isAssignableFrom(target)) return "must be an array";
        return "must be an object";
    }

    /** The fields a record binds, in declaration order. */
    private static String allowed(Class<?> type) {
        if (type == null || !type.isRecord()) return "see the protocol";
        return Arrays.stream(type.getRecordComponents())
                .map(RecordComponent::getName)
                .collect(Collectors.joining(", "));
    }

    /** The token the parser stopped at, in JSON's words. */
    private static String describe(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) return "nothing";
        try {
            return switch (t) {
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_FLOAT -> "a fraction " + clip(p.getText());
                case VALUE_NUMBER_INT ->
                        p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                                ? "a number too large"
                                : "a number " + p.getText();
                case VALUE_TRUE, VALUE_FALSE -> "boolean";
                case VALUE_NULL -> "null";
                case START_ARRAY, END_ARRAY -> "array";
                case START_OBJECT, END_OBJECT, FIELD_NAME -> "object";
                default -> "something else";
            };
        } catch (java.io.IOException e) {
            return "something else";
        }
    }

    private static String currentName(JsonParser p) {
        try {
            return p.currentName();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** {@code events[2].batch.records}, from Jackson's path of a mapping problem. */
    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (path.length() > 0) path.append('.');
                path.append(clip(r.getFieldName()));
            } else {
                path.append('[').append(Math.max(0, r.getIndex())).append(']');
            }
        }
        return path.toString();
    }

    /**
     * Where the parser stopped, as a field path ({@code " at events[2].batch"}), or "" at the top.
     */
    static String where(JsonParser p) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = p.getParsingContext();
                c != null && !c.inRoot();
                c = c.getParent()) {
            if (c.inArray()) {
                path.insert(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                path.insert(0, "." + clip(c.getCurrentName()));
            }
        }
        if (path.length() == 0) return "";
        String s = path.charAt(0) == '.' ? path.substring(1) : path.toString();
        return " at " + (s.length() > 200 ? s.substring(0, 200) + "..." : s);
    }

    /** A client-supplied name or value, fit to be echoed: short, printable, valid Unicode. */
    static String clip(String name) {
        String c = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return printable(c) ? c : UNPRINTABLE.matcher(c).replaceAll("?");
    }

    /** True when {@link #UNPRINTABLE} cannot match: the usual case, checked without a regex. */
    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch == 0x7f || (ch >= 0xD800 && ch <= 0xDFFF)) return false;
            if (ch >= 0x2028 && (ch <= 0x202E || (ch >= 0x2066 && ch <= 0x2069))) return false;
        }
        return true;
    }

    /**
     * Jackson's limit messages name its own classes; say the limit in the service's words instead.
     */
    private static String constraint(String message) {
        String m = message == null ? "" : message;
        if (m.startsWith("Document nesting depth"))
            return "JSON is nested more than 16 levels deep";
        if (m.startsWith("Number value length")) return "a number has more than 32 characters";
        if (m.startsWith("String value length")) return "a string is longer than 65536 characters";
        if (m.startsWith("Name length")) return "a field name is too long";
        return "exceeds a parser limit (nesting depth 16, numbers of 32 characters, strings of 65536 characters)";
    }

    /**
     * The first statement of Jackson's description of a syntax error, without the hints that follow
     * it (they name its configuration classes and features), plus the line and column.
     */
    private static String jsonProblem(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (m.startsWith("Trailing token"))
            return "more content after the JSON object; send exactly one object";
        for (String hint :
                new String[] {
                    "\n",
                    " (start marker at",
                    ": enable ",
                    "; enable ",
                    " (not recognized as one since",
                    "`"
                }) {
            int at = m.indexOf(hint);
            if (at >= 0) m = m.substring(0, at);
        }
        m = m.replaceAll("\\p{Cntrl}", "?").trim();
        if (m.length() > 200) m = m.substring(0, 200) + "...";
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0)
            m += " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        return m;
    }
}
