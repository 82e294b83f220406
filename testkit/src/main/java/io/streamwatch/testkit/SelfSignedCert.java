package io.streamwatch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate made by the JDK's own {@code keytool} (no openssl needed), written as
 * the PEM files {@code server.tls} takes: {@code NAME.crt} (certificate) and {@code NAME.key}
 * (unencrypted PKCS#8).
 */
public record SelfSignedCert(
        Path certFile, Path keyFile, X509Certificate certificate, PrivateKey key) {
    private static final String PASSWORD = "test-only";

    /**
     * An EC P-256 key; {@code san} as keytool takes it, e.g. {@code ip:127.0.0.1,dns:localhost}.
     */
    public static SelfSignedCert generate(Path dir, String name, String san)
            throws IOException, GeneralSecurityException {
        return generate(dir, name, "EC", san);
    }

    /** {@code keyAlg} EC (P-256) or RSA (2048 bits). */
    public static SelfSignedCert generate(Path dir, String name, String keyAlg, String san)
            throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path store = dir.resolve(name + ".p12");
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "keytool")
                                        .toString(),
                                "-genkeypair",
                                "-alias",
                                name,
                                "-keyalg",
                                keyAlg,
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
                                PASSWORD,
                                "-keypass",
                                PASSWORD));
        cmd.addAll(
                keyAlg.equals("EC")
                        ? List.of("-groupname", "secp256r1")
                        : List.of("-keysize", "2048"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IOException("keytool failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for keytool", e);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate(name);
        PrivateKey key = (PrivateKey) ks.getKey(name, PASSWORD.toCharArray());
        Path certFile =
                Files.writeString(
                        dir.resolve(name + ".crt"), pem("CERTIFICATE", cert.getEncoded()));
        Path keyFile =
                Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
        return new SelfSignedCert(certFile, keyFile, cert, key);
    }

    /** DER bytes as a PEM block of {@code type}. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }

    /** A TLS context that trusts this certificate only. */
    public SSLContext trustingContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("a trust store for " + certFile, e);
        }
    }

    @Override
    public String toString() {
        return "SelfSignedCert{" + certFile + "}";
    }
}
