package io.streamwatch.listener;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate from the JDK's own {@code keytool} (no openssl), with its PEM file
 * (what {@code spark.streamwatch.trustCertFile} takes) and a server-side TLS context.
 */
final class TestCertificate {
    private static final char[] PASSWORD = "test-only".toCharArray();

    final X509Certificate certificate;
    final PrivateKey key;
    final Path pemFile;

    private TestCertificate(X509Certificate certificate, PrivateKey key, Path pemFile) {
        this.certificate = certificate;
        this.key = key;
        this.pemFile = pemFile;
    }

    /** {@code san} as keytool takes it, e.g. {@code ip:127.0.0.1,dns:localhost}. */
    static TestCertificate generate(Path dir, String name, String san) throws Exception {
        Path store = dir.resolve(name + ".p12");
        String keytool =
                System.getProperty("java.home")
                        + File.separator
                        + "bin"
                        + File.separator
                        + "keytool";
        List<String> cmd =
                new ArrayList<String>(
                        Arrays.asList(
                                keytool,
                                "-genkeypair",
                                "-alias",
                                name,
                                "-keyalg",
                                "EC",
                                "-keysize",
                                "256",
                                "-dname",
                                "CN=" + name,
                                "-ext",
                                "SAN=" + san,
                                "-validity",
                                "2",
                                "-keystore",
                                store.toString(),
                                "-storetype",
                                "PKCS12",
                                "-storepass",
                                new String(PASSWORD),
                                "-keypass",
                                new String(PASSWORD)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate(name);
        PrivateKey key = (PrivateKey) ks.getKey(name, PASSWORD);
        Path pem = dir.resolve(name + ".crt");
        Files.write(pem, pem(cert).getBytes(StandardCharsets.US_ASCII));
        return new TestCertificate(cert, key, pem);
    }

    static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** The server side: presents this certificate. */
    SSLContext serverContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, PASSWORD, new Certificate[] {certificate});
        KeyManagerFactory kmf =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
