package io.streamwatch.listener;

import static io.streamwatch.listener.SparkEvents.conf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code spark.streamwatch.trustCertFile}. */
class TrustCertFileConfigTest {
    @TempDir Path dir;
    private final List<String> warnings = new ArrayList<String>();

    private ListenerConfig load(String... keysAndValues) throws ConfigException {
        return ListenerConfig.fromSparkConf(conf(keysAndValues), warnings::add);
    }

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content.getBytes(StandardCharsets.US_ASCII));
        return p;
    }

    @Test
    void withoutItTheJvmDefaultTrustStoreApplies() throws Exception {
        ListenerConfig c = load(ListenerConfig.URL, "https://monitor:9470");
        assertNull(c.trustCertFile());
        assertNull(c.trustedSockets());
        assertTrue(c.toString().contains("trustCertFile=<JVM default trust store>"), c.toString());
    }

    @Test
    void aPemCertificateIsReadAndNamedInToString() throws Exception {
        TestCertificate cert = TestCertificate.generate(dir, "svc", "ip:127.0.0.1");
        ListenerConfig c =
                load(
                        ListenerConfig.URL,
                        "https://127.0.0.1:9470",
                        ListenerConfig.TRUST_CERT_FILE,
                        cert.pemFile.toString());
        assertNotNull(c.trustedSockets());
        assertEquals(cert.pemFile.toString(), c.trustCertFile());
        assertTrue(c.toString().contains("trustCertFile=" + cert.pemFile), c.toString());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void withAPlainHttpUrlItWarnsThatNothingIsEncrypted() throws Exception {
        TestCertificate cert = TestCertificate.generate(dir, "svc", "ip:127.0.0.1");
        load(
                ListenerConfig.URL,
                "http://127.0.0.1:9470",
                ListenerConfig.TRUST_CERT_FILE,
                cert.pemFile.toString());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("not https://"), warnings.get(0));
    }

    @Test
    void anUnusableFileIsAnErrorNamingTheKeyTheFileAndTheProblem() throws Exception {
        String damaged =
                "-----BEGIN CERTIFICATE-----\nMIIBbm90IGEgY2VydGlmaWNhdGU=\n"
                        + "-----END CERTIFICATE-----\n";
        String[][] cases = {
            {dir.resolve("missing.pem").toString(), "cannot read"},
            {dir.toString(), "cannot read"},
            {file("empty.pem", "").toString(), "holds no PEM certificate"},
            {
                file("key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                        .toString(),
                "holds no PEM certificate"
            },
            {file("damaged.pem", damaged).toString(), "is not a valid X.509 certificate"},
        };
        for (String[] c : cases) {
            ConfigException e =
                    assertThrows(
                            ConfigException.class,
                            () ->
                                    load(
                                            ListenerConfig.URL,
                                            "https://m:1",
                                            ListenerConfig.TRUST_CERT_FILE,
                                            c[0]),
                            c[0]);
            assertTrue(e.isError());
            assertTrue(
                    e.getMessage().contains(ListenerConfig.TRUST_CERT_FILE + "='" + c[0] + "'")
                            && e.getMessage().contains(c[1]),
                    e.getMessage());
        }
    }
}
