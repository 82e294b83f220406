package io.streamwatch.service.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamwatch.service.config.ServiceConfig.SecretProperties;
import io.streamwatch.service.config.ServiceConfig.Secrets;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Jackson databind from the prepared tree into {@link ServiceConfig}. A value Jackson cannot
 * convert does not stop the binding: it becomes a problem naming its key path and a placeholder, so
 * one run reports every bad value. Secret values are never echoed.
 */
final class ConfigBinder {
    private static final ObjectReader READER =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .addModule(
                            new SimpleModule("streamwatch-config")
                                    .addDeserializer(
                                            Duration.class,
                                            new FromText<>(Duration.class, Durations::parse))
                                    .addDeserializer(
                                            Path.class,
                                            new FromText<>(Path.class, ConfigBinder::path))
                                    .addDeserializer(Secrets.class, new SecretsDeserializer())
                                    .addDeserializer(
                                            SecretProperties.class, new PropertiesDeserializer()))
                    .build()
                    .readerFor(ServiceConfig.class);

    private ConfigBinder() {}

    /**
     * The bound configuration; its parts that could not be read are placeholders, each with a
     * problem.
     */
    static ServiceConfig bind(ObjectNode tree, Problems problems) {
        try {
            return READER.withHandler(new CollectingHandler(problems)).readValue(tree);
        } catch (IOException e) {
            StringBuilder where = new StringBuilder();
            if (e instanceof JsonMappingException m) {
                for (JsonMappingException.Reference r : m.getPath()) {
                    if (r.getFieldName() == null)
                        where.append('[').append(r.getIndex()).append(']');
                    else where.append(where.length() == 0 ? "" : ".").append(r.getFieldName());
                }
            }
            problems.add(
                    where.length() == 0 ? "configuration" : where.toString(),
                    "cannot be read; check it against the README's configuration table");
            return null;
        }
    }

    /** Records what went wrong where, and lets the binding go on with a placeholder. */
    private static final class CollectingHandler extends DeserializationProblemHandler {
        private final Problems problems;

        CollectingHandler(Problems problems) {
            this.problems = problems;
        }

        @Override
        public Object handleWeirdStringValue(
                DeserializationContext ctxt, Class<?> target, String value, String failureMsg) {
            problems.add(ConfigDocument.path(ctxt.getParser()), notA(target, value, failureMsg));
            return placeholder(target);
        }

        /**
         * Shapes are checked before binding ({@link ConfigDocument}); this is only a safety net.
         */
        @Override
        public Object handleUnexpectedToken(
                DeserializationContext ctxt,
                JavaType target,
                JsonToken t,
                JsonParser p,
                String failureMsg)
                throws IOException {
            problems.add(
                    ConfigDocument.path(p),
                    "cannot be read as " + target.getRawClass().getSimpleName());
            p.skipChildren();
            return placeholder(target.getRawClass());
        }
    }

    private static String notA(Class<?> target, String value, String failureMsg) {
        if (target == Duration.class || target == Path.class) return failureMsg;
        String v = "'" + value + "'";
        if (target == int.class
                || target == Integer.class
                || target == long.class
                || target == Long.class) {
            return value.matches("-?\\d+") ? v + " is too large" : v + " is not a whole number";
        }
        if (target == double.class || target == Double.class) return v + " is not a number";
        if (target == boolean.class || target == Boolean.class) return v + " is not true or false";
        if (target.isEnum()) {
            List<String> accepted =
                    Arrays.stream(target.getEnumConstants()).map(String::valueOf).toList();
            return v
                    + " is not accepted; use "
                    + String.join(", ", accepted.subList(0, accepted.size() - 1))
                    + " or "
                    + accepted.get(accepted.size() - 1);
        }
        return "cannot be read (" + target.getSimpleName() + " expected)";
    }

    private static Object placeholder(Class<?> target) {
        if (target == int.class || target == Integer.class) return 0;
        if (target == long.class || target == Long.class) return 0L;
        if (target == double.class || target == Double.class) return 0.0;
        if (target == boolean.class || target == Boolean.class) return false;
        return null;
    }

    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a file path (" + e.getReason() + ")");
        }
    }

    /**
     * A value written as text, e.g. {@code 30s}; a parse failure's message (with the accepted
     * forms) becomes the problem.
     */
    private static final class FromText<T> extends JsonDeserializer<T> {
        private final Class<T> type;
        private final Function<String, T> parse;

        FromText(Class<T> type, Function<String, T> parse) {
            this.type = type;
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue())
                return type.cast(ctxt.handleUnexpectedToken(type, p));
            String text = p.getText();
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                return type.cast(ctxt.handleWeirdStringValue(type, text, e.getMessage()));
            }
        }
    }

    /** Tokens (a list) or a routing key (one value). */
    private static final class SecretsDeserializer extends JsonDeserializer<Secrets> {
        @Override
        public Secrets deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken().isScalarValue()) return new Secrets(List.of(p.getText()));
            if (p.currentToken() != JsonToken.START_ARRAY)
                return (Secrets) ctxt.handleUnexpectedToken(Secrets.class, p);
            List<String> values = new ArrayList<>();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == JsonToken.VALUE_NULL) continue; // an entry already reported
                if (t.isScalarValue()) values.add(p.getText());
                else ctxt.handleUnexpectedToken(String.class, p);
            }
            return new Secrets(values);
        }
    }

    /** Kafka client properties: a mapping of single values. */
    private static final class PropertiesDeserializer extends JsonDeserializer<SecretProperties> {
        @Override
        public SecretProperties deserialize(JsonParser p, DeserializationContext ctxt)
                throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return (SecretProperties) ctxt.handleUnexpectedToken(SecretProperties.class, p);
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                if (t.isScalarValue() && t != JsonToken.VALUE_NULL) values.put(key, p.getText());
                else ctxt.handleUnexpectedToken(String.class, p);
            }
            return new SecretProperties(values);
        }
    }
}
