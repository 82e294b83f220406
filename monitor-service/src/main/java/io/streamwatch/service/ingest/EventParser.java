package io.streamwatch.service.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamwatch.service.model.IngestBatch;
import java.io.IOException;
import java.time.Clock;

/**
 * Turns an ingest body into a validated {@link IngestBatch}, or rejects it with a message naming
 * the offending field ({@code events[3].batch.processingTimeMs: must be >= 0, got -5}). Strict by
 * design: unknown fields, unknown event types, wrong types, NaN, absurd timestamps and control
 * characters in names are all refused, so a buggy producer is caught at once instead of corrupting
 * history.
 *
 * <p>Four steps, each with its own kind of message: the bytes must be strict UTF-8 ({@link
 * Utf8Body}); the JSON is bound straight from the parser to the records of {@link Wire} (unknown
 * fields and wrong JSON types), with no tree in between and with the size limits applied as each
 * token is read ({@link CountingParser}), so a hostile body is refused before it builds anything
 * large; nothing may follow the object; the bound values must pass {@link EnvelopeConverter}
 * (presence, ranges, timestamps, text).
 */
public final class EventParser {
    public static final int SCHEMA_VERSION = EnvelopeConverter.SCHEMA_VERSION;

    private final ObjectMapper mapper;
    private final ObjectReader envelope;
    private final Clock clock;
    private final EnvelopeConverter converter;
    private final int maxEvents;
    private final long maxTokens;

    public EventParser(Clock clock, int maxEvents) {
        this(clock, maxEvents, 1_048_576);
    }

    /**
     * @param maxBodyBytes {@code ingest.maxBodyBytes}: a body may hold one JSON token per 4 bytes
     *     of it (a real listener's body has one per 6 bytes or more)
     */
    public EventParser(Clock clock, int maxEvents, long maxBodyBytes) {
        this.clock = clock;
        this.maxEvents = maxEvents;
        this.maxTokens = Math.max(1024, maxBodyBytes / 4);
        this.converter = new EnvelopeConverter(maxEvents);
        JsonFactory factory =
                JsonFactory.builder()
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxNestingDepth(16)
                                        .maxStringLength(64 * 1024)
                                        .maxNumberLength(32)
                                        .build())
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build();
        this.mapper =
                JsonMapper.builder(factory)
                        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .addModule(StrictJson.module())
                        .build();
        this.envelope = mapper.readerFor(Wire.Envelope.class);
    }

    public IngestBatch parse(byte[] body) {
        if (body.length == 0) {
            throw RejectedException.badRequest(
                    "body is empty: send a JSON object " + JsonProblems.ENVELOPE);
        }
        int invalid = Utf8Body.firstInvalid(body);
        if (invalid >= 0) throw notUtf8(body, invalid);
        return converter.convert(bind(body), clock.millis());
    }

    /** The body bound to the envelope as it is read, or a rejection naming where it broke. */
    private Wire.Envelope bind(byte[] body) {
        try (JsonParser p =
                new CountingParser(
                        mapper.getFactory().createParser(body),
                        maxTokens,
                        maxEvents,
                        EnvelopeConverter.LIST_MAX)) {
            try {
                JsonToken first = p.nextToken();
                if (first != JsonToken.START_OBJECT) {
                    throw RejectedException.badRequest(
                            first == null
                                    ? "body is empty: send a JSON object " + JsonProblems.ENVELOPE
                                    : "body: must be a JSON object " + JsonProblems.ENVELOPE);
                }
                Wire.Envelope env = envelope.readValue(p);
                if (p.nextToken() != null) {
                    throw RejectedException.badRequest(
                            "body is not valid JSON: more content after the JSON object; send"
                                    + " exactly one object");
                }
                return env;
            } catch (JsonMappingException e) {
                throw unwrap(p, e);
            } catch (StreamConstraintsException e) {
                throw JsonProblems.limit(p, e.getOriginalMessage());
            } catch (JsonProcessingException e) {
                throw JsonProblems.syntax(p, e);
            }
        } catch (IOException e) {
            // only closing can get here: the body is in memory
            throw RejectedException.badRequest("body is not valid JSON");
        }
    }

    /**
     * Jackson wraps what breaks inside a record (a syntax error, a parser limit, a limit of {@link
     * CountingParser}) in a mapping problem; each is reported as itself.
     */
    private static RejectedException unwrap(JsonParser p, JsonMappingException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof RejectedException r) return r;
            if (t instanceof StreamConstraintsException c)
                return JsonProblems.limit(p, c.getOriginalMessage());
            if (t instanceof JsonProcessingException j && !(j instanceof JsonMappingException))
                return JsonProblems.syntax(p, j);
        }
        return JsonProblems.shape(e, p);
    }

    /** Where the first byte that is not UTF-8 sits, as a field path found by reading up to it. */
    private RejectedException notUtf8(byte[] body, int offset) {
        String where = "";
        try (JsonParser p = mapper.getFactory().createParser(body, 0, offset)) {
            try {
                while (p.nextToken() != null) {
                    // read up to the bad byte
                }
            } catch (IOException e) {
                where = JsonProblems.where(p);
            }
        } catch (IOException | RuntimeException e) {
            // the path is only a hint
        }
        return RejectedException.badRequest(
                "body is not valid JSON"
                        + where
                        + ": Invalid UTF-8 (byte "
                        + offset
                        + " starts a malformed, overlong or surrogate sequence); send strict"
                        + " UTF-8");
    }
}
