package io.streamwatch.service.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;

/**
 * Applies the request's size limits while Jackson reads, token by token, before anything large is
 * built: at most {@code maxTokens} JSON tokens, at most {@code maxEvents} entries in the top-level
 * {@code events} array and at most {@code maxEntries} in any other array. A crossed limit is a 400
 * naming the array; the rest of that array is only skipped over (nothing is kept) to say how many
 * entries it has.
 */
final class CountingParser extends JsonParserDelegate {
    private final long maxTokens;
    private final int maxEvents;
    private final int maxEntries;
    private long tokens;

    CountingParser(JsonParser p, long maxTokens, int maxEvents, int maxEntries) {
        super(p);
        this.maxTokens = maxTokens;
        this.maxEvents = maxEvents;
        this.maxEntries = maxEntries;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = delegate.nextToken();
        if (t == null) return null;
        if (++tokens > maxTokens) {
            throw RejectedException.badRequest(
                    "body: more than "
                            + maxTokens
                            + " JSON values, names and brackets in one request (one per 4 bytes"
                            + " of ingest.maxBodyBytes); send smaller requests");
        }
        if (t != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT) {
            JsonStreamContext c = delegate.getParsingContext();
            if (t.isStructStart()) c = c.getParent();
            if (c.inArray()) checkEntries(c);
        }
        return t;
    }

    private void checkEntries(JsonStreamContext array) throws IOException {
        int index = array.getCurrentIndex();
        JsonStreamContext owner = array.getParent();
        boolean events =
                owner != null
                        && owner.inObject()
                        && owner.getParent() != null
                        && owner.getParent().inRoot()
                        && "events".equals(owner.getCurrentName());
        int max = events ? maxEvents : maxEntries;
        if (index < max) return;
        String path = JsonProblems.where(this);
        int at = path.lastIndexOf('[');
        String field = at > 0 ? path.substring(" at ".length(), at) : "body";
        long count = countRest(index);
        throw RejectedException.badRequest(
                field
                        + ": at most "
                        + max
                        + " entries per request, got "
                        + (count < 0 ? "more" : Long.toString(count))
                        + "; send smaller requests");
    }

    /** Skips the rest of the array the current token is in; its entry count, or -1. */
    private long countRest(int index) {
        try {
            long count = index + 1;
            if (delegate.currentToken().isStructStart()) delegate.skipChildren();
            for (JsonToken t = delegate.nextToken(); t != JsonToken.END_ARRAY; ) {
                if (t == null) return -1;
                count++;
                if (t.isStructStart()) delegate.skipChildren();
                t = delegate.nextToken();
            }
            return count;
        } catch (IOException e) {
            return -1;
        }
    }

    // Jackson's fast paths read the next token without nextToken(): route them all through it.

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    @Override
    public String nextFieldName() throws IOException {
        return nextToken() == JsonToken.FIELD_NAME ? currentName() : null;
    }

    @Override
    public boolean nextFieldName(SerializableString str) throws IOException {
        return nextToken() == JsonToken.FIELD_NAME && str.getValue().equals(currentName());
    }

    @Override
    public String nextTextValue() throws IOException {
        return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
    }

    @Override
    public int nextIntValue(int defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getIntValue() : defaultValue;
    }

    @Override
    public long nextLongValue(long defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getLongValue() : defaultValue;
    }

    @Override
    public Boolean nextBooleanValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.VALUE_TRUE
                ? Boolean.TRUE
                : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
        JsonToken t = currentToken();
        if (t == null || !t.isStructStart()) return this;
        int open = 1;
        while (open > 0) {
            JsonToken n = nextToken();
            if (n == null) return this;
            if (n.isStructStart()) open++;
            else if (n.isStructEnd()) open--;
        }
        return this;
    }
}
