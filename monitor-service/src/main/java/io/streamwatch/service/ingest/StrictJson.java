package io.streamwatch.service.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * Jackson without its leniencies, for the ingest protocol. Scalars are taken exactly as JSON typed
 * them: a {@code Long} is an integer token that fits in 64 bits (not {@code "42"}, {@code 1.5} or
 * {@code true}), a {@code Double} is a number (not {@code "1.5"}), a {@code Boolean} is {@code
 * true} or {@code false} (not {@code 1}), a {@code String} is a string (not {@code 7}). An event is
 * a JSON object. A mismatch names only the expected type; {@link JsonProblems} says what was found
 * instead.
 */
final class StrictJson {
    private StrictJson() {}

    static SimpleModule module() {
        return new SimpleModule("streamwatch-strict-json")
                .addDeserializer(Wire.EventJson.class, new ObjectsOnly())
                .addDeserializer(
                        Long.class,
                        new Strict<>(Long.class) {
                            @Override
                            Long read(JsonParser p) throws IOException {
                                boolean fits =
                                        p.hasToken(JsonToken.VALUE_NUMBER_INT)
                                                && (p.getNumberType() == JsonParser.NumberType.INT
                                                        || p.getNumberType()
                                                                == JsonParser.NumberType.LONG);
                                return fits ? p.getLongValue() : null;
                            }
                        })
                .addDeserializer(
                        Double.class,
                        new Strict<>(Double.class) {
                            @Override
                            Double read(JsonParser p) throws IOException {
                                return p.hasToken(JsonToken.VALUE_NUMBER_INT)
                                                || p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)
                                        ? p.getDoubleValue()
                                        : null;
                            }
                        })
                .addDeserializer(
                        Boolean.class,
                        new Strict<>(Boolean.class) {
                            @Override
                            Boolean read(JsonParser p) {
                                return p.hasToken(JsonToken.VALUE_TRUE)
                                        ? Boolean.TRUE
                                        : p.hasToken(JsonToken.VALUE_FALSE) ? Boolean.FALSE : null;
                            }
                        })
                .addDeserializer(
                        String.class,
                        new Strict<>(String.class) {
                            @Override
                            String read(JsonParser p) throws IOException {
                                return p.hasToken(JsonToken.VALUE_STRING) ? p.getText() : null;
                            }
                        });
    }

    /**
     * Reads one token of type {@code T}; JSON null never reaches it (Jackson maps that to null
     * itself).
     */
    private abstract static class Strict<T> extends StdScalarDeserializer<T> {
        Strict(Class<T> type) {
            super(type);
        }

        /** The value, or null when the token is of another type. */
        abstract T read(JsonParser p) throws IOException;

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            T value = read(p);
            if (value == null) {
                throw MismatchedInputException.from(
                        p, handledType(), "wrong JSON type for " + handledType().getSimpleName());
            }
            return value;
        }
    }

    /**
     * Lets only JSON objects reach {@link Wire.EventJson}'s type dispatch: Jackson would also take
     * the wrapper-array form {@code ["heartbeat", {...}]}, which the protocol does not allow.
     */
    private static final class ObjectsOnly extends StdDeserializer<Wire.EventJson> {
        ObjectsOnly() {
            super(Wire.EventJson.class);
        }

        @Override
        public Object deserializeWithType(
                JsonParser p, DeserializationContext ctxt, TypeDeserializer types)
                throws IOException {
            if (!p.isExpectedStartObjectToken())
                throw MismatchedInputException.from(
                        p, Wire.EventJson.class, "an event is not an object");
            return types.deserializeTypedFromObject(p, ctxt);
        }

        @Override
        public Wire.EventJson deserialize(JsonParser p, DeserializationContext ctxt)
                throws IOException {
            throw MismatchedInputException.from(
                    p, Wire.EventJson.class, "an event is read with its type");
        }
    }
}
