package io.streamwatch.service.ingest;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Strict gzip (RFC 1952) decoding of a request body: exactly one member, its CRC-32 and length
 * checked, nothing after it. {@link java.util.zip.GZIPInputStream} reads further members and
 * silently ignores trailing bytes, which would let a body carry content no log or size check saw.
 * The output grows only within {@code max} and the caller's {@link DecodingBudget.Lease}.
 */
final class GzipBody {
    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

    private GzipBody() {}

    static byte[] decode(byte[] raw, long max, DecodingBudget.Lease lease, String limitHint) {
        int at = header(raw);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(raw, at, raw.length - at);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(raw.length * 4, 65536));
            byte[] buf = new byte[8192];
            CRC32 crc = new CRC32();
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw bad("it ends before its compressed data does");
                }
                if (out.size() + (long) n > max) {
                    throw new RejectedException(
                            413, "decompressed body exceeds the limit; " + limitHint);
                }
                lease.take(n);
                crc.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            int trailer = raw.length - inflater.getRemaining();
            if (raw.length - trailer < 8) throw bad("its trailer (CRC-32 and length) is missing");
            if (le32(raw, trailer) != (int) crc.getValue())
                throw bad("its CRC-32 does not match the content");
            if (le32(raw, trailer + 4) != out.size())
                throw bad("its length field does not match the content");
            int extra = raw.length - trailer - 8;
            if (extra > 0) {
                throw bad(
                        extra
                                + " bytes follow the gzip member (a second member or trailing"
                                + " bytes); send exactly one gzip member");
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw bad("its compressed data is corrupt");
        } finally {
            inflater.end();
        }
    }

    /** The offset of the compressed data after the member header. */
    private static int header(byte[] b) {
        if (b.length < 10 || (b[0] & 0xff) != 0x1f || (b[1] & 0xff) != 0x8b)
            throw bad("it does not start with the gzip magic bytes");
        if (b[2] != 8) throw bad("its compression method is not deflate");
        int flags = b[3] & 0xff;
        if ((flags & 0xe0) != 0) throw bad("its header has reserved flags set");
        int at = 10;
        if ((flags & FEXTRA) != 0) {
            if (at + 2 > b.length) throw bad("its header is truncated");
            at += 2 + ((b[at] & 0xff) | (b[at + 1] & 0xff) << 8);
        }
        if ((flags & FNAME) != 0) at = afterZero(b, at);
        if ((flags & FCOMMENT) != 0) at = afterZero(b, at);
        if ((flags & FHCRC) != 0) at += 2;
        if (at > b.length) throw bad("its header is truncated");
        return at;
    }

    private static int afterZero(byte[] b, int at) {
        while (at < b.length && b[at] != 0) at++;
        if (at >= b.length) throw bad("its header is truncated");
        return at + 1;
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff)
                | (b[at + 1] & 0xff) << 8
                | (b[at + 2] & 0xff) << 16
                | (b[at + 3] & 0xff) << 24;
    }

    private static RejectedException bad(String why) {
        return RejectedException.badRequest(
                "body is not valid gzip (Content-Encoding: gzip): "
                        + why
                        + "; nothing was applied");
    }
}
