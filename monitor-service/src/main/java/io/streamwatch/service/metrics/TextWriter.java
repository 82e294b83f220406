package io.streamwatch.service.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Writes exposition text as UTF-8 straight to a stream through one reused buffer: ASCII (names,
 * numbers, nearly every label value) is copied a byte per char, only other characters go through
 * the UTF-8 encoder.
 */
final class TextWriter {
    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;

    TextWriter(OutputStream out) {
        this.out = out;
    }

    TextWriter ascii(String s) throws IOException {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                utf8(s.substring(i));
                return this;
            }
            if (pos == buf.length) drain();
            buf[pos++] = (byte) c;
        }
        return this;
    }

    TextWriter ch(char c) throws IOException {
        if (pos == buf.length) drain();
        buf[pos++] = (byte) c;
        return this;
    }

    /** A label value (or help text when {@code quote} is false) with the format's escapes. */
    TextWriter escaped(String s, boolean quote) throws IOException {
        int n = s.length();
        int plain = 0;
        while (plain < n) {
            char c = s.charAt(plain);
            if (c >= 0x80 || c == '\\' || c == '\n' || (quote && c == '"')) break;
            plain++;
        }
        if (plain == n) return ascii(s);
        ascii(s.substring(0, plain));
        for (int i = plain; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> ascii("\\\\");
                case '\n' -> ascii("\\n");
                case '"' -> ascii(quote ? "\\\"" : "\"");
                default -> {
                    if (c < 0x80) ch(c);
                    else if (Character.isHighSurrogate(c) && i + 1 < n) {
                        utf8(s.substring(i, i + 2));
                        i++;
                    } else utf8(String.valueOf(c));
                }
            }
        }
        return this;
    }

    /**
     * A sample value: whole numbers without a fraction ({@code 5}, not {@code 5.0}: the format
     * allows either, and most values here are counts, bytes and milliseconds), others as Java's
     * shortest round-tripping digits, in plain notation up to 10^15 ({@code 1796216331.594}, not
     * {@code 1.796216331594E9}: epoch seconds are on every app and query, and two bytes shorter).
     */
    TextWriter value(double v) throws IOException {
        if (v == Double.POSITIVE_INFINITY) return ascii("+Inf");
        if (v == Double.NEGATIVE_INFINITY) return ascii("-Inf");
        double abs = Math.abs(v);
        if (v == Math.rint(v) && abs < 1e15) return value((long) v);
        if (abs >= 1e7 && abs < 1e15) return ascii(BigDecimal.valueOf(v).toPlainString());
        return ascii(Double.toString(v));
    }

    TextWriter value(long v) throws IOException {
        return ascii(Long.toString(v));
    }

    private void utf8(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > buf.length - pos) drain();
        if (b.length > buf.length) {
            out.write(b);
            return;
        }
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void drain() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    /** Writes out what is buffered (the stream itself is not flushed or closed). */
    void flush() throws IOException {
        drain();
    }
}
