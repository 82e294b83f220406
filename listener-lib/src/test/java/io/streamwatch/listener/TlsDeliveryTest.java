package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.T0;
import static io.streamwatch.listener.SparkEvents.conf;
import static io.streamwatch.listener.SparkEvents.wrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchSubmitted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code https://} service URLs and {@code spark.streamwatch.trustCertFile}, against a real TLS
 * server presenting self-signed certificates keytool made for this run.
 */
class TlsDeliveryTest {
    @TempDir static Path dir;
    private static TestCertificate service;
    private static TestCertificate other;
    private static TestCertificate wrongName;

    private final Harness harness = new Harness();
    private final List<AutoCloseable> closeables = new ArrayList<AutoCloseable>();

    @BeforeAll
    static void certificates() throws Exception {
        service = TestCertificate.generate(dir, "service", "ip:127.0.0.1,dns:localhost");
        other = TestCertificate.generate(dir, "other", "ip:127.0.0.1,dns:localhost");
        wrongName = TestCertificate.generate(dir, "wrong-name", "dns:streamwatch.invalid");
    }

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private HttpsFakeService server(TestCertificate presenting) throws Exception {
        HttpsFakeService s = new HttpsFakeService(presenting);
        closeables.add(s);
        return s;
    }

    private CapturedLog capture() {
        CapturedLog log = new CapturedLog();
        closeables.add(log);
        return log;
    }

    private StreamwatchListener listener(String url, String... more) {
        List<String> keys =
                new ArrayList<String>(
                        Arrays.asList(
                                ListenerConfig.URL,
                                url,
                                "spark.app.id",
                                "app-tls",
                                ListenerConfig.FLUSH_INTERVAL_MS,
                                "20"));
        keys.addAll(Arrays.asList(more));
        return harness.listener(conf(keys.toArray(new String[0])));
    }

    private static void submitBatches(StreamwatchListener l, int n) {
        for (int i = 0; i < n; i++) {
            l.onOtherEvent(
                    wrap(
                            new StreamingListenerBatchSubmitted(
                                    SparkEvents.batch(T0 + i * 1000L, 1, null, null))));
        }
    }

    @Test
    void eventsReachAnHttpsServiceWhoseCertificateIsInTrustCertFile() throws Exception {
        for (String host : Arrays.asList("127.0.0.1", "localhost")) {
            HttpsFakeService svc = server(service);
            StreamwatchListener l =
                    listener(
                            "https://" + host + ":" + svc.port(),
                            ListenerConfig.TRUST_CERT_FILE,
                            service.pemFile.toString());
            assertFalse(l.isInert());
            submitBatches(l, 3);
            Await.until("3 events over HTTPS to " + host, 10_000, () -> svc.seqs().size() >= 3);
            assertEquals(Arrays.asList(1L, 2L, 3L), svc.seqs());
        }
    }

    @Test
    void aFileWithSeveralCertificatesTrustsEachOfThem() throws Exception {
        Path bundle = dir.resolve("bundle.pem");
        Files.write(
                bundle,
                ("a private CA bundle\n"
                                + TestCertificate.pem(other.certificate)
                                + TestCertificate.pem(service.certificate))
                        .getBytes(StandardCharsets.US_ASCII));
        HttpsFakeService svc = server(service);
        StreamwatchListener l =
                listener(
                        "https://127.0.0.1:" + svc.port(),
                        ListenerConfig.TRUST_CERT_FILE,
                        bundle.toString());
        submitBatches(l, 2);
        Await.until("2 events", 10_000, () -> svc.seqs().size() >= 2);
    }

    @Test
    void withoutTrustCertFileASelfSignedServiceIsRefusedAndSaidSoOnce() throws Exception {
        CapturedLog log = capture();
        HttpsFakeService svc = server(service);
        StreamwatchListener l = listener("https://127.0.0.1:" + svc.port());
        submitBatches(l, 5);
        Await.until(
                "several handshakes retried with backoff", 15_000, () -> svc.connections() >= 3);
        assertTrue(svc.seqs().isEmpty(), "nothing delivered to an untrusted service");
        assertEquals(0, l.callbackErrors());
        List<String> refused =
                log.matching(
                        "WARN",
                        "TLS connection to 127.0.0.1:" + svc.port() + " failed",
                        "not trusted by the JVM's default trust store",
                        ListenerConfig.TRUST_CERT_FILE);
        assertEquals(1, refused.size(), "one log line for the whole outage: " + log.lines());
        assertFalse(l.isInert(), "still running: it delivers once the certificate is trusted");
    }

    @Test
    void aServiceWithAnotherCertificateThanTrustCertFileIsRefused() throws Exception {
        CapturedLog log = capture();
        HttpsFakeService svc = server(other);
        StreamwatchListener l =
                listener(
                        "https://127.0.0.1:" + svc.port(),
                        ListenerConfig.TRUST_CERT_FILE,
                        service.pemFile.toString());
        submitBatches(l, 3);
        Await.until("several handshakes", 15_000, () -> svc.connections() >= 3);
        assertTrue(svc.seqs().isEmpty());
        assertEquals(
                1,
                log.matching(
                                "WARN",
                                "TLS connection to",
                                "is not issued by",
                                ListenerConfig.TRUST_CERT_FILE + "='" + service.pemFile + "'")
                        .size(),
                log.lines().toString());
    }

    @Test
    void theCertificateMustNameTheHostEvenIfTheAppTurnedHostnameChecksOffJvmWide()
            throws Exception {
        CapturedLog log = capture();
        HostnameVerifier before = HttpsURLConnection.getDefaultHostnameVerifier();
        HttpsURLConnection.setDefaultHostnameVerifier((host, session) -> true);
        try {
            HttpsFakeService svc = server(wrongName);
            StreamwatchListener l =
                    listener(
                            "https://127.0.0.1:" + svc.port(),
                            ListenerConfig.TRUST_CERT_FILE,
                            wrongName.pemFile.toString());
            submitBatches(l, 3);
            Await.until("several handshakes", 15_000, () -> svc.connections() >= 3);
            assertTrue(svc.seqs().isEmpty(), "a trusted certificate for another name is refused");
            assertEquals(
                    1,
                    log.matching("WARN", "does not name '127.0.0.1'").size(),
                    log.lines().toString());
        } finally {
            HttpsURLConnection.setDefaultHostnameVerifier(before);
        }
    }

    @Test
    void theJvmWideTlsDefaultsAreLeftAlone() throws Exception {
        SSLContext context = SSLContext.getDefault();
        SSLSocketFactory sockets = HttpsURLConnection.getDefaultSSLSocketFactory();
        HostnameVerifier verifier = HttpsURLConnection.getDefaultHostnameVerifier();
        HttpsFakeService svc = server(service);
        StreamwatchListener l =
                listener(
                        "https://127.0.0.1:" + svc.port(),
                        ListenerConfig.TRUST_CERT_FILE,
                        service.pemFile.toString());
        submitBatches(l, 1);
        Await.until("1 event", 10_000, () -> svc.seqs().size() >= 1);
        assertSame(context, SSLContext.getDefault());
        assertSame(sockets, HttpsURLConnection.getDefaultSSLSocketFactory());
        assertSame(verifier, HttpsURLConnection.getDefaultHostnameVerifier());
    }

    @Test
    void anUnusableTrustCertFileLeavesTheListenerInertWithOneError() throws Exception {
        CapturedLog log = capture();
        Path notPem = dir.resolve("not-a-cert.pem");
        Files.write(notPem, "hello".getBytes(StandardCharsets.US_ASCII));
        for (String file :
                Arrays.asList(notPem.toString(), dir.resolve("missing.pem").toString())) {
            SparkConf conf =
                    conf(
                            ListenerConfig.URL,
                            "https://127.0.0.1:1",
                            ListenerConfig.TRUST_CERT_FILE,
                            file);
            StreamwatchListener l = harness.listener(conf);
            assertTrue(l.isInert(), file);
            submitBatches(l, 2);
            assertEquals(
                    1,
                    log.matching(
                                    "ERROR",
                                    "Streamwatch listener disabled",
                                    ListenerConfig.TRUST_CERT_FILE + "='" + file + "'")
                            .size(),
                    log.lines().toString());
        }
    }
}
