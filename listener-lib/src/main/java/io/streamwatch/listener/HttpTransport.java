package io.streamwatch.listener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@link Transport} over the JDK's {@link HttpURLConnection}. Every response stream is read to the
 * end and closed so the JDK can keep the connection alive.
 *
 * <p>For {@code https://} every connection is given the transport's own socket factory: trusting
 * the certificates of {@value ListenerConfig#TRUST_CERT_FILE} when set, otherwise the JVM's default
 * trust store, with host name verification in both cases. JVM-wide defaults are never changed. A
 * failed TLS connection is reported as an {@link SSLException} whose message says what to check.
 */
final class HttpTransport implements Transport {
    static final String PATH = "/api/v1/events";
    private static final int MAX_BODY_CHARS = 4096;

    private final URL endpoint;
    private final String token;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final SSLSocketFactory sockets;
    private final String trustCertFile;

    /**
     * @param trusted sockets trusting {@code trustCertFile}'s certificates, or null for the JVM's
     *     default trust store
     */
    HttpTransport(
            String baseUrl,
            String token,
            SSLSocketFactory trusted,
            String trustCertFile,
            int connectTimeoutMs,
            int readTimeoutMs)
            throws IOException {
        this.endpoint = new URL(baseUrl + PATH);
        this.token = token;
        // One factory for the transport's lifetime, so the JDK can keep TLS connections alive.
        this.sockets =
                trusted != null
                        ? trusted
                        : new HostnameVerifyingSocketFactory(
                                HttpsURLConnection.getDefaultSSLSocketFactory());
        this.trustCertFile = trusted != null ? trustCertFile : null;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
    }

    @Override
    public Response post(byte[] gzippedJson) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) endpoint.openConnection();
        if (connection instanceof HttpsURLConnection) {
            ((HttpsURLConnection) connection).setSSLSocketFactory(sockets);
        }
        try {
            connection.setConnectTimeout(connectTimeoutMs);
            connection.setReadTimeout(readTimeoutMs);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            connection.setRequestProperty("Content-Type", "application/json");
            connection.setRequestProperty("Content-Encoding", "gzip");
            connection.setRequestProperty("Accept", "application/json");
            if (token != null) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            // No fixed-length streaming mode: with it the JDK discards the body of a 401 answer,
            // which is the service's explanation. Bodies are small (at most a few hundred kB).
            OutputStream out = connection.getOutputStream();
            try {
                out.write(gzippedJson);
            } finally {
                out.close();
            }
            int status = connection.getResponseCode();
            InputStream in =
                    status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            return new Response(status, readFully(in), connection.getHeaderField("Retry-After"));
        } catch (SSLException e) {
            throw explained(e);
        } catch (IOException e) {
            try {
                readFully(connection.getErrorStream());
            } catch (IOException | RuntimeException ignored) {
                // the connection is broken anyway
            }
            throw e;
        }
    }

    /** The TLS failure with what to check, for the shipper's (rate-limited) log line. */
    private SSLException explained(SSLException e) {
        String where =
                endpoint.getHost() + ":" + (endpoint.getPort() < 0 ? 443 : endpoint.getPort());
        Throwable root = e;
        boolean certificate = false;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            certificate |= root instanceof CertificateException;
        }
        String detail = root.getMessage() == null ? root.toString() : root.getMessage();
        String hint;
        boolean wrongName =
                detail.contains("subject alternative") || detail.contains("No name matching");
        if (certificate && wrongName) {
            hint =
                    "the service's certificate does not name '"
                            + endpoint.getHost()
                            + "' (subject"
                            + " alternative names); use a URL with a name or IP address the certificate holds";
        } else if (certificate && trustCertFile != null) {
            hint =
                    "the service's certificate is not, and is not issued by, a certificate in "
                            + ListenerConfig.TRUST_CERT_FILE
                            + "='"
                            + trustCertFile
                            + "'";
        } else if (certificate) {
            hint =
                    "the service's certificate is not trusted by the JVM's default trust store; if it is"
                            + " self-signed or from a private CA, set "
                            + ListenerConfig.TRUST_CERT_FILE
                            + " to a PEM file holding it or its CA";
        } else {
            hint =
                    "check that the service serves HTTPS on this port (server.tls) and speaks TLS 1.2"
                            + " or newer";
        }
        SSLException explained =
                new SSLException(
                        "TLS connection to " + where + " failed: " + hint + " (" + detail + ")");
        explained.initCause(e);
        return explained;
    }

    @Override
    public String describe() {
        return ListenerConfig.redactUserInfo(endpoint.toString());
    }

    private static String readFully(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                int room = MAX_BODY_CHARS - kept.size();
                if (room > 0) {
                    kept.write(buffer, 0, Math.min(room, n));
                }
            }
            return new String(kept.toByteArray(), StandardCharsets.UTF_8);
        } finally {
            in.close();
        }
    }
}
