package io.streamwatch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The slow-body attack on ingest: N loopback sockets, each with the headers of a {@code POST
 * /api/v1/events} announcing {@code Content-Length} bytes and the first body byte, then one more
 * byte per round, until the service answers (its status line is kept) or closes. Bounded: at most
 * {@link #MAX_SENDERS} sockets, a connect waits 5 s and a read 1 s at most, {@link #hold} runs for
 * the given time only; {@link #close} closes every socket.
 *
 * <pre>{@code
 * try (SlowSenders slow = SlowSenders.open(port, token, 260, 60_000)) {
 *     slow.hold(Duration.ofSeconds(6), () -> probeTheService());
 *     assertTrue(slow.refused() >= 220, "" + slow.outcomes());
 * }
 * }</pre>
 */
public final class SlowSenders implements AutoCloseable {
    public static final int MAX_SENDERS = 2000;

    /** What {@link #hold} does once a round, after trickling. */
    @FunctionalInterface
    public interface Round {
        void run() throws Exception;
    }

    private final List<Socket> sockets = new ArrayList<>();
    private final Map<Socket, String> answers = new HashMap<>();

    private SlowSenders() {}

    /**
     * {@code count} sockets to {@code 127.0.0.1:port}, each having sent the headers (with {@code
     * Bearer token}) and one byte of a {@code contentLength}-byte JSON body.
     */
    public static SlowSenders open(int port, String token, int count, long contentLength)
            throws IOException {
        if (count < 1 || count > MAX_SENDERS)
            throw new IllegalArgumentException("1.." + MAX_SENDERS + " senders, not " + count);
        byte[] head =
                ("POST /api/v1/events HTTP/1.1\r\nHost: "
                                + Loopback.HOST
                                + "\r\nAuthorization: Bearer "
                                + token
                                + "\r\nContent-Type: application/json\r\n"
                                + "Content-Length: "
                                + contentLength
                                + "\r\n\r\n{")
                        .getBytes(StandardCharsets.ISO_8859_1);
        SlowSenders s = new SlowSenders();
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                s.sockets.add(socket);
                socket.connect(new InetSocketAddress(Loopback.HOST, port), 5_000);
                socket.setSoTimeout(1_000);
                socket.getOutputStream().write(head);
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /**
     * For {@code duration}: once a second, {@link #trickle} and then {@code round}. Returns the
     * number of rounds run.
     */
    public int hold(Duration duration, Round round) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        int rounds = 0;
        while (System.nanoTime() < end) {
            trickle();
            round.run();
            rounds++;
            Thread.sleep(1000);
        }
        return rounds;
    }

    /**
     * One round: every socket still waiting takes the service's answer when one came (its status
     * line), else sends one more body byte.
     */
    public void trickle() {
        for (Socket socket : sockets) {
            if (answers.containsKey(socket)) continue;
            try {
                InputStream in = socket.getInputStream();
                if (in.available() > 0) {
                    answers.put(socket, new String(in.readNBytes(12), StandardCharsets.ISO_8859_1));
                    continue;
                }
                OutputStream out = socket.getOutputStream();
                out.write(' ');
                out.flush();
            } catch (IOException closed) {
                answers.put(socket, "closed without an answer");
            }
        }
    }

    /**
     * How the senders were answered so far: status line ({@code HTTP/1.1 503}) or {@code closed
     * without an answer}, to count.
     */
    public Map<String, Integer> outcomes() {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (String a : answers.values()) outcomes.merge(a, 1, Integer::sum);
        return outcomes;
    }

    /**
     * Senders answered 503 (over the concurrency cap) or 408 (slower than the minimum body rate).
     */
    public int refused() {
        Map<String, Integer> outcomes = outcomes();
        return outcomes.getOrDefault("HTTP/1.1 503", 0) + outcomes.getOrDefault("HTTP/1.1 408", 0);
    }

    @Override
    public void close() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        }
    }
}
