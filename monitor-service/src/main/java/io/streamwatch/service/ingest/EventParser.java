package io.streamwatch.service.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
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
 * <p>Three steps, each with its own kind of message: the body must be JSON within the parser's
 * limits (read as a tree, so a syntax error anywhere wins over a misplaced field); the tree must
 * bind to the records of {@link Wire} (unknown fields and wrong JSON types); the bound values must
 * pass {@link EnvelopeConverter} (presence, ranges, timestamps, text).
 */
public final class EventParser {
    public static final int SCHEMA_VERSION = EnvelopeConverter.SCHEMA_VERSION;

    private final ObjectMapper mapper;
    private final ObjectReader envelope;
    private final Clock clock;
    private final EnvelopeConverter converter;

    public EventParser(Clock clock, int maxEvents) {
        this.clock = clock;
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
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
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
        JsonNode root = tree(body);
        if (root == null || !root.isObject()) {
            throw RejectedException.badRequest(
                    "body: must be a JSON object " + JsonProblems.ENVELOPE);
        }
        Wire.Envelope env;
        try {
            env = envelope.readValue(root);
        } catch (JsonMappingException e) {
            throw JsonProblems.shape(e, root);
        } catch (IOException e) {
            // binding an in-memory tree reads nothing
            throw RejectedException.badRequest(
                    "body: does not fit the envelope " + JsonProblems.ENVELOPE);
        }
        return converter.convert(env, clock.millis());
    }

    /** The body as a JSON tree, or a rejection naming where the syntax or a parser limit broke. */
    private JsonNode tree(byte[] body) {
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            try {
                return mapper.readTree(p);
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
}
