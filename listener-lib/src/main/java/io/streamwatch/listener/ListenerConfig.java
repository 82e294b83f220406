package io.streamwatch.listener;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;
import org.apache.spark.SparkConf;
import scala.Option;

/**
 * The listener's configuration, read once from {@link SparkConf} and immutable afterwards.
 *
 * <p>{@link #toString()} never shows the token. Numeric keys with a bad value fall back to their
 * default after one warning naming the key and the value; a missing URL, an unusable token file or
 * an unusable trust certificate file is a {@link ConfigException} that leaves the listener inert.
 */
public final class ListenerConfig {
    public static final String URL = "spark.streamwatch.url";
    public static final String TOKEN = "spark.streamwatch.token";
    public static final String TOKEN_FILE = "spark.streamwatch.tokenFile";
    public static final String APP = "spark.streamwatch.app";
    public static final String FLUSH_INTERVAL_MS = "spark.streamwatch.flushIntervalMs";
    public static final String HEARTBEAT_INTERVAL_MS = "spark.streamwatch.heartbeatIntervalMs";
    public static final String BUFFER_SIZE = "spark.streamwatch.bufferSize";
    public static final String TRUST_CERT_FILE = "spark.streamwatch.trustCertFile";

    static final long DEFAULT_FLUSH_INTERVAL_MS = 200;
    static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
    static final int DEFAULT_BUFFER_SIZE = 10000;
    static final int MAX_APP_CHARS = 200;

    private final String url;
    private final String token;
    private final String app;
    private final String fallbackAppId;
    private final long flushIntervalMs;
    private final long heartbeatIntervalMs;
    private final int bufferSize;
    private final String trustCertFile;
    private final SSLSocketFactory trustedSockets;

    ListenerConfig(
            String url,
            String token,
            String app,
            String fallbackAppId,
            long flushIntervalMs,
            long heartbeatIntervalMs,
            int bufferSize,
            String trustCertFile,
            SSLSocketFactory trustedSockets) {
        this.url = url;
        this.token = token;
        this.app = app;
        this.fallbackAppId = fallbackAppId;
        this.flushIntervalMs = flushIntervalMs;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.bufferSize = bufferSize;
        this.trustCertFile = trustCertFile;
        this.trustedSockets = trustedSockets;
    }

    /**
     * Reads the {@code spark.streamwatch.*} keys.
     *
     * @param warn receives one message per recoverable problem (a bad number, a cut app key)
     * @throws ConfigException when the listener cannot run; the message says what to do
     */
    static ListenerConfig fromSparkConf(SparkConf conf, Consumer<String> warn)
            throws ConfigException {
        if (conf == null) {
            throw new ConfigException(
                    "Streamwatch listener disabled: no SparkConf was given.", true);
        }
        String url = get(conf, URL);
        if (url == null) {
            throw new ConfigException(
                    "Streamwatch listener disabled: "
                            + URL
                            + " is not set (e.g. --conf "
                            + URL
                            + "=http://monitor:9470).",
                    false);
        }
        url = validateUrl(url);
        String token = readToken(conf);
        String app = appKey(conf, warn);
        String fallbackAppId = get(conf, "spark.app.id");
        long flush = number(conf, FLUSH_INTERVAL_MS, DEFAULT_FLUSH_INTERVAL_MS, 0, 600_000, warn);
        long heartbeat =
                number(
                        conf,
                        HEARTBEAT_INTERVAL_MS,
                        DEFAULT_HEARTBEAT_INTERVAL_MS,
                        10,
                        3_600_000,
                        warn);
        long buffer = number(conf, BUFFER_SIZE, DEFAULT_BUFFER_SIZE, 1, 1_000_000, warn);
        String trustCertFile = get(conf, TRUST_CERT_FILE);
        SSLSocketFactory trusted = null;
        if (trustCertFile != null) {
            trusted = TrustedCertificates.fromPemFile(trustCertFile, warn);
            if (!url.regionMatches(true, 0, "https:", 0, 6)) {
                warn.accept(
                        "Streamwatch: "
                                + TRUST_CERT_FILE
                                + " is set but "
                                + URL
                                + " is not https://;"
                                + " the certificates are not used and events travel unencrypted.");
            }
        }
        return new ListenerConfig(
                url,
                token,
                app,
                fallbackAppId,
                flush,
                heartbeat,
                (int) buffer,
                trustCertFile,
                trusted);
    }

    private static String get(SparkConf conf, String key) {
        Option<String> value = conf.getOption(key);
        if (value == null || !value.isDefined() || value.get() == null) {
            return null;
        }
        String trimmed = value.get().trim();
        return trimmed.isEmpty() ? null : trimmed;
    }

    private static String validateUrl(String url) throws ConfigException {
        String base = url;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            URL parsed = new URL(base);
            String protocol = parsed.getProtocol();
            if (!"http".equals(protocol) && !"https".equals(protocol)) {
                throw new MalformedURLException("protocol must be http or https");
            }
            if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
                throw new MalformedURLException("no host");
            }
        } catch (MalformedURLException e) {
            throw new ConfigException(
                    "Streamwatch listener disabled: "
                            + URL
                            + "='"
                            + redactUserInfo(url)
                            + "' is not a valid http(s) URL ("
                            + e.getMessage()
                            + "); expected e.g. http://monitor:9470",
                    true);
        }
        return base;
    }

    private static String readToken(SparkConf conf) throws ConfigException {
        String file = get(conf, TOKEN_FILE);
        if (file == null) {
            String token = get(conf, TOKEN);
            if (token != null) {
                checkTokenChars(token, TOKEN);
            }
            return token;
        }
        String token;
        try {
            token = new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    "Streamwatch listener disabled: cannot read "
                            + TOKEN_FILE
                            + "='"
                            + file
                            + "' ("
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage()
                            + "); make the file readable by the driver or set "
                            + TOKEN
                            + " instead.",
                    true);
        }
        if (token.isEmpty()) {
            throw new ConfigException(
                    "Streamwatch listener disabled: "
                            + TOKEN_FILE
                            + "='"
                            + file
                            + "' is empty; put the ingest token in it.",
                    true);
        }
        checkTokenChars(token, TOKEN_FILE);
        return token;
    }

    private static void checkTokenChars(String token, String key) throws ConfigException {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new ConfigException(
                        "Streamwatch listener disabled: the token from "
                                + key
                                + " contains a control character or line break; it must be a single line.",
                        true);
            }
        }
    }

    private static String appKey(SparkConf conf, Consumer<String> warn) throws ConfigException {
        String app = get(conf, APP);
        String key = APP;
        if (app == null) {
            app = get(conf, "spark.app.name");
            key = "spark.app.name";
        }
        if (app == null) {
            throw new ConfigException(
                    "Streamwatch listener disabled: neither "
                            + APP
                            + " nor spark.app.name is set; set "
                            + APP
                            + " to a stable name for this application.",
                    true);
        }
        StringBuilder clean = new StringBuilder(app.length());
        for (int i = 0; i < app.length(); i++) {
            char c = app.charAt(i);
            clean.append(Character.isISOControl(c) ? ' ' : c);
        }
        String result = clean.toString();
        if (result.length() > MAX_APP_CHARS) {
            result = result.substring(0, MAX_APP_CHARS);
        }
        if (!result.equals(app)) {
            warn.accept(
                    "Streamwatch: app key from "
                            + key
                            + " had control characters or more than "
                            + MAX_APP_CHARS
                            + " characters; using '"
                            + result
                            + "'. Set "
                            + APP
                            + " to a short stable name.");
        }
        return result;
    }

    private static long number(
            SparkConf conf, String key, long fallback, long min, long max, Consumer<String> warn) {
        String raw = get(conf, key);
        if (raw == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        warn.accept(
                "Streamwatch: "
                        + key
                        + "='"
                        + raw
                        + "' is not a whole number between "
                        + min
                        + " and "
                        + max
                        + "; using the default "
                        + fallback
                        + ".");
        return fallback;
    }

    static String redactUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        int slash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
        if (scheme >= 0 && at > scheme && (slash < 0 || at < slash)) {
            return url.substring(0, scheme + 3) + "***@" + url.substring(at + 1);
        }
        return url;
    }

    /** Service base URL without a trailing slash. */
    public String url() {
        return url;
    }

    /** Bearer token, or null when none is configured. */
    String token() {
        return token;
    }

    /** The stable app key sent as {@code source.app}. */
    public String app() {
        return app;
    }

    /**
     * {@code spark.app.id} at construction; used until a SparkListenerApplicationStart says
     * otherwise.
     */
    public String fallbackAppId() {
        return fallbackAppId;
    }

    public long flushIntervalMs() {
        return flushIntervalMs;
    }

    public long heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** The {@value #TRUST_CERT_FILE} path, or null when the JVM's default trust store applies. */
    public String trustCertFile() {
        return trustCertFile;
    }

    /**
     * Sockets that trust exactly the certificates of {@value #TRUST_CERT_FILE}, or null when it is
     * not set.
     */
    SSLSocketFactory trustedSockets() {
        return trustedSockets;
    }

    @Override
    public String toString() {
        return "ListenerConfig{url="
                + redactUserInfo(url)
                + ", token="
                + (token == null ? "<none>" : "<set>")
                + ", app='"
                + app
                + '\''
                + ", fallbackAppId="
                + fallbackAppId
                + ", flushIntervalMs="
                + flushIntervalMs
                + ", heartbeatIntervalMs="
                + heartbeatIntervalMs
                + ", bufferSize="
                + bufferSize
                + ", trustCertFile="
                + (trustCertFile == null ? "<JVM default trust store>" : trustCertFile)
                + '}';
    }
}
