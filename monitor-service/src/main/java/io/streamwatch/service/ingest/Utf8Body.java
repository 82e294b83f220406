package io.streamwatch.service.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The body's encoding, checked before JSON parsing: UTF-8 (RFC 8259) without a byte order mark,
 * decoded strictly. Jackson on its own would guess UTF-16 or UTF-32 from the first bytes, skip a
 * BOM, and take overlong forms (such as {@code C0 AF} for {@code /}) and UTF-8-encoded surrogates,
 * which can smuggle characters past checks that look at the decoded text.
 */
final class Utf8Body {
    private Utf8Body() {}

    /**
     * @return the offset of the first byte that is not strict UTF-8, or -1 when all are
     * @throws RejectedException for a BOM or a UTF-16/UTF-32 body
     */
    static int firstInvalid(byte[] body) {
        if (body.length >= 3
                && (body[0] & 0xff) == 0xEF
                && (body[1] & 0xff) == 0xBB
                && (body[2] & 0xff) == 0xBF) {
            throw RejectedException.badRequest(
                    "body starts with a byte order mark (BOM): send UTF-8 JSON without one");
        }
        boolean utf16Bom =
                body.length >= 2
                        && (((body[0] & 0xff) == 0xFE && (body[1] & 0xff) == 0xFF)
                                || ((body[0] & 0xff) == 0xFF && (body[1] & 0xff) == 0xFE));
        // RFC 4627's detection: JSON starts with two ASCII characters, so zero bytes among the
        // first
        // four in these patterns mean UTF-16 (00 xx 00 xx, xx 00 xx 00) or UTF-32.
        boolean wide =
                body.length >= 4
                        && ((body[0] == 0 && body[2] == 0) || (body[1] == 0 && body[3] == 0));
        if (utf16Bom || wide) {
            throw RejectedException.badRequest(
                    "body is not UTF-8 (it looks like UTF-16 or UTF-32): send UTF-8 JSON");
        }
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) return in.position();
            if (r.isUnderflow()) {
                return decoder.flush(out).isError() ? in.position() : -1;
            }
            out.clear();
        }
    }
}
