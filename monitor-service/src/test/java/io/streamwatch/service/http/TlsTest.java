package io.streamwatch.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamwatch.service.MutableClock;
import io.streamwatch.service.StreamwatchService;
import io.streamwatch.service.config.ConfigException;
import io.streamwatch.service.config.ConfigLoader;
import io.streamwatch.service.config.ServiceConfig;
import io.streamwatch.testkit.Events;
import io.streamwatch.testkit.SelfSignedCert;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * {@code server.tls}: the service over HTTPS only, from PEM files, with certificates keytool makes.
 */
class TlsTest {
    private static final String TOKEN = "tls-ingest-token";
    private static final MutableClock clock = MutableClock.atSystemTime();
    private static Path dir;
    private static SelfSignedCert ec;
    private static SelfSignedCert rsa;
    private static SelfSignedCert other;

    @BeforeAll
    static void certificates() throws Exception {
        dir = Files.createTempDirectory("streamwatch-tls");
        ec = SelfSignedCert.generate(dir, "service-ec", "EC", "ip:127.0.0.1,dns:localhost");
        rsa = SelfSignedCert.generate(dir, "service-rsa", "RSA", "ip:127.0.0.1,dns:localhost");
        other = SelfSignedCert.generate(dir, "other", "EC", "ip:127.0.0.1,dns:localhost");
    }

    private static ServiceConfig config(Path certFile, Path keyFile) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("STREAMWATCH_SERVER_HOST", "127.0.0.1");
        env.put("STREAMWATCH_SERVER_PORT", "0");
        env.put("STREAMWATCH_STORAGE_DIR", Files.createTempDirectory(dir, "data").toString());
        env.put("STREAMWATCH_INGEST_TOKENS", TOKEN);
        env.put("STREAMWATCH_API_INGEST_TOKENS_CAN_READ", "true"); // the tests read with TOKEN
        env.put("STREAMWATCH_SERVER_TLS_CERT_FILE", certFile.toString());
        env.put("STREAMWATCH_SERVER_TLS_KEY_FILE", keyFile.toString());
        return ConfigLoader.load(null, env).config();
    }

    private static StreamwatchService start(SelfSignedCert cert) throws IOException {
        return new StreamwatchService(config(cert.certFile(), cert.keyFile()), clock).start();
    }

    private static HttpClient trusting(SelfSignedCert cert) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(cert.trustingContext())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + TOKEN)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0} key")
    @ValueSource(strings = {"EC", "RSA"})
    void ingestAndTheApiAreServedOverHttpsToAClientThatTrustsTheCertificate(String keyAlg)
            throws Exception {
        SelfSignedCert cert = keyAlg.equals("EC") ? ec : rsa;
        try (StreamwatchService service = start(cert)) {
            HttpClient client = trusting(cert);
            for (String host : List.of("127.0.0.1", "localhost")) {
                assertEquals(
                        200,
                        get(client, "https://" + host + ":" + service.port() + "/healthz")
                                .statusCode(),
                        host);
            }
            String base = "https://127.0.0.1:" + service.port();
            long t = clock.millis();
            HttpResponse<String> posted =
                    client.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    Events.from("tls-app", "app-tls")
                                                            .streamingStarted(t, 1000)
                                                            .completed(t, 5, 100, 7, null)
                                                            .json()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, posted.statusCode(), posted.body());
            JsonNode batches =
                    Events.JSON
                            .readTree(get(client, base + "/api/v1/apps/tls-app/batches").body())
                            .get("batches");
            assertEquals(1, batches.size());
            assertEquals(t, batches.get(0).get("batchTime").asLong());
        }
    }

    @Test
    void thereIsNoPlainHttpOnTheTlsPort() throws Exception {
        try (StreamwatchService service = start(ec)) {
            HttpClient plain =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(
                    IOException.class,
                    () -> get(plain, "http://127.0.0.1:" + service.port() + "/healthz"));
            String answer = rawPlainRequest(service.port());
            assertFalse(answer.startsWith("HTTP/"), "no HTTP answer to plaintext, got: " + answer);
            assertTrue(
                    get(trusting(ec), "https://127.0.0.1:" + service.port() + "/healthz")
                                    .statusCode()
                            == 200,
                    "HTTPS still works on the same port");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        try (StreamwatchService service = start(ec)) {
            String url = "https://127.0.0.1:" + service.port() + "/healthz";
            assertThrows(
                    SSLHandshakeException.class,
                    () -> get(HttpClient.newHttpClient(), url),
                    "JVM default trust");
            assertThrows(
                    SSLHandshakeException.class,
                    () -> get(trusting(other), url),
                    "a different self-signed certificate");
        }
    }

    @Test
    void tls12AndTls13AreBothNegotiated() throws Exception {
        try (StreamwatchService service = start(ec)) {
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                try (SSLSocket socket =
                        (SSLSocket)
                                ec.trustingContext()
                                        .getSocketFactory()
                                        .createSocket("127.0.0.1", service.port())) {
                    socket.setEnabledProtocols(new String[] {protocol});
                    socket.startHandshake();
                    assertEquals(protocol, socket.getSession().getProtocol());
                }
            }
        }
    }

    @Test
    void startupSaysTlsIsOnWithoutShowingTheKey() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(TlsSetup.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (StreamwatchService service = start(ec)) {
            List<String> lines =
                    logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(
                    lines.stream()
                            .anyMatch(
                                    l ->
                                            l.contains("TLS is on")
                                                    && l.contains(":" + service.port())
                                                    && l.contains("ip:127.0.0.1")
                                                    && l.contains("TLSv1.3/TLSv1.2")),
                    lines.toString());
            String keyText = Base64.getEncoder().encodeToString(ec.key().getEncoded());
            assertFalse(
                    lines.stream()
                            .anyMatch(
                                    l ->
                                            l.contains(keyText.substring(0, 40))
                                                    || l.contains("PRIVATE KEY")),
                    lines.toString());
        } finally {
            logger.detachAppender(logs);
        }
    }

    /** What an operator can get wrong in the two files, and the start-up error each one gets. */
    private record Case(String what, String certPem, String keyPem, String key, String fragment) {}

    @Test
    void badFilesStopStartupWithAMessageNamingTheKeyAndTheProblem() throws Exception {
        String cert = Files.readString(ec.certFile());
        String key = Files.readString(ec.keyFile());
        String block =
                "-----BEGIN %s-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END %s-----\n";
        List<Case> cases =
                List.of(
                        new Case(
                                "certificate file is not PEM",
                                "hello, I am not a certificate\n",
                                key,
                                "server.tls.certFile",
                                "is not a PEM file"),
                        new Case(
                                "certificate file holds only a key",
                                key,
                                key,
                                "server.tls.certFile",
                                "holds no PEM certificate"),
                        new Case(
                                "certificate block is damaged",
                                cert.replace("MII", "MIIXXXX"),
                                key,
                                "server.tls.certFile",
                                "is not a valid X.509 certificate"),
                        new Case(
                                "key file holds only the certificate",
                                cert,
                                cert,
                                "server.tls.keyFile",
                                "holds no PEM private key"),
                        new Case(
                                "key file is empty",
                                cert,
                                "",
                                "server.tls.keyFile",
                                "is not a PEM file"),
                        new Case(
                                "key of another certificate",
                                cert,
                                Files.readString(other.keyFile()),
                                "server.tls.keyFile",
                                "does not belong to the first certificate"),
                        new Case(
                                "RSA key for an EC certificate",
                                cert,
                                Files.readString(rsa.keyFile()),
                                "server.tls.keyFile",
                                "does not belong to the first certificate"),
                        new Case(
                                "PKCS#1 key",
                                cert,
                                block.formatted("RSA PRIVATE KEY", "RSA PRIVATE KEY"),
                                "server.tls.keyFile",
                                "openssl pkcs8 -topk8 -nocrypt"),
                        new Case(
                                "SEC1 EC key",
                                cert,
                                block.formatted("EC PRIVATE KEY", "EC PRIVATE KEY"),
                                "server.tls.keyFile",
                                "openssl pkcs8 -topk8 -nocrypt"),
                        new Case(
                                "encrypted key",
                                cert,
                                block.formatted("ENCRYPTED PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
                                "server.tls.keyFile",
                                "is encrypted"),
                        new Case(
                                "damaged PKCS#8 key",
                                cert,
                                block.formatted("PRIVATE KEY", "PRIVATE KEY"),
                                "server.tls.keyFile",
                                "is not a valid RSA or EC private key"));
        List<String> failures = new ArrayList<>();
        String keyText = Base64.getEncoder().encodeToString(ec.key().getEncoded()).substring(0, 40);
        for (Case c : cases) {
            Path certFile =
                    Files.writeString(Files.createTempFile(dir, "cert", ".pem"), c.certPem());
            Path keyFile = Files.writeString(Files.createTempFile(dir, "key", ".pem"), c.keyPem());
            ServiceConfig config = config(certFile, keyFile);
            try (StreamwatchService ignored = new StreamwatchService(config, clock).start()) {
                failures.add(c.what() + ": the service started");
            } catch (ConfigException e) {
                String m = e.getMessage();
                if (!m.contains(c.key()) || !m.contains(c.fragment()) || m.contains(keyText)) {
                    failures.add(
                            c.what()
                                    + ": expected '"
                                    + c.key()
                                    + "' and '"
                                    + c.fragment()
                                    + "', got: "
                                    + m);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static String rawPlainRequest(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(
                    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (InputStream in = s.getInputStream()) {
                in.transferTo(got);
            } catch (IOException e) {
                // a reset is a fine answer to plaintext
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
