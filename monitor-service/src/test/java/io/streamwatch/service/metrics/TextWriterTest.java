package io.streamwatch.service.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextWriterTest {
    private static String written(double v) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextWriter w = new TextWriter(out);
        w.value(v);
        w.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void wholeNumbersAreWrittenWithoutAFraction() throws IOException {
        assertEquals("5", written(5.0));
        assertEquals("0", written(0.0));
        assertEquals("-3", written(-3.0));
        assertEquals("1700000000000", written(1.7e12));
    }

    @Test
    void largeFractionsAreWrittenInPlainNotation() throws IOException {
        // an epoch in seconds with milliseconds: Double.toString says 1.796216331594E9
        assertEquals("1796216331.594", written(1796216331.594));
        assertEquals("-12345678.5", written(-12345678.5));
        assertEquals("123456789012345.6", written(123456789012345.6));
        for (double v : new double[] {1796216331.594, 1.0e7 + 0.25, 999999999999999.9}) {
            assertEquals(v, Double.parseDouble(written(v)), "round trip of " + v);
        }
    }

    @Test
    void fractionsAndExtremesKeepTheirShortestExactForm() throws IOException {
        assertEquals("0.1", written(0.1));
        assertEquals("2.5", written(2.5));
        assertEquals("0.30000000000000004", written(0.1 + 0.2));
        // beyond 2^53 a double is not every whole number: no long conversion there
        assertEquals("1.0E15", written(1e15));
        assertEquals("1.0E300", written(1e300));
        assertEquals("+Inf", written(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", written(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", written(Double.NaN));
    }
}
