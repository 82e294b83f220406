package io.streamwatch.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection that posts gzip envelopes, blocking, like one listener's one
 * connection. Far cheaper per request than {@code java.net.http.HttpClient}, so that thousands of
 * simulated apps leave most of the two cores to the service under test. Not thread-safe: one per
 * worker thread.
 */
final class BlockingPoster implements AutoCloseable {
    private final String host;
    private final int port;
    private final byte[] head;
    private Socket socket;
    private BufferedInputStream in;
    private OutputStream out;
    private String lastBody;

    BlockingPoster(String host, int port, String token) {
        this.host = host;
        this.port = port;
        this.head =
                ("POST /api/v1/events HTTP/1.1\r\nHost: "
                                + host
                                + ":"
                                + port
                                + "\r\nAuthorization: Bearer "
                                + token
                                + "\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ")
                        .getBytes(StandardCharsets.US_ASCII);
    }

    /** Posts one body; any I/O failure closes the connection and answers status -1. */
    IngestClient.Answer post(byte[] gzipJson) {
        long t0 = System.nanoTime();
        try {
            if (socket == null) connect();
            out.write(head);
            out.write((gzipJson.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(gzipJson);
            out.flush();
            int status = readResponse();
            return new IngestClient.Answer(status, 0, 0, System.nanoTime() - t0, lastBody);
        } catch (IOException | RuntimeException e) {
            close();
            return new IngestClient.Answer(-1, 0, 0, System.nanoTime() - t0, String.valueOf(e));
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(60_000);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 8192);
        out = new java.io.BufferedOutputStream(s.getOutputStream(), 8192);
    }

    private int readResponse() throws IOException {
        String status = line();
        int code = Integer.parseInt(status.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h; !(h = line()).isEmpty(); ) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:"))
                length = Long.parseLong(lower.substring(15).trim());
            else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked"))
                chunked = true;
            else if (lower.startsWith("connection:") && lower.contains("close")) close = true;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long n; (n = Long.parseLong(line().split(";")[0].trim(), 16)) > 0; ) {
                copy(n, body);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            copy(length, body);
        }
        lastBody = body.toString(StandardCharsets.UTF_8);
        if (close) close();
        return code;
    }

    private void copy(long n, ByteArrayOutputStream to) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(n, buf.length));
            if (r < 0) throw new IOException("connection closed mid-body");
            to.write(buf, 0, r);
            n -= r;
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            if (socket != null) socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        socket = null;
    }
}
