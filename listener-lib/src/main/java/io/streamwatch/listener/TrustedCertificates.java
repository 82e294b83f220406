package io.streamwatch.listener;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates named by {@code spark.streamwatch.trustCertFile} (the service's self-signed
 * certificate, or a private CA) turned into a socket factory that trusts exactly those. It is set
 * on each of the listener's own connections; the JVM-wide defaults belong to the Spark application
 * and are never changed.
 */
final class TrustedCertificates {
    private static final Pattern CERTIFICATE =
            Pattern.compile(
                    "-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", Pattern.DOTALL);

    private TrustedCertificates() {}

    /**
     * Reads the PEM file and builds a factory trusting its certificates, with host name
     * verification on.
     *
     * @param warn receives one message per certificate that is expired or not yet valid
     * @throws ConfigException when the file cannot be read or holds no usable certificate
     */
    static SSLSocketFactory fromPemFile(String file, Consumer<String> warn) throws ConfigException {
        String key = ListenerConfig.TRUST_CERT_FILE + "='" + file + "'";
        String text;
        try {
            text = new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw disabled(
                    "cannot read "
                            + key
                            + " ("
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage()
                            + "); make the file readable by the driver");
        }
        List<X509Certificate> certificates = new ArrayList<X509Certificate>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = CERTIFICATE.matcher(text);
            while (m.find()) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(1).trim());
                try {
                    certificates.add(
                            (X509Certificate)
                                    factory.generateCertificate(new ByteArrayInputStream(der)));
                } catch (CertificateException | ClassCastException e) {
                    throw disabled(
                            "certificate #"
                                    + (certificates.size() + 1)
                                    + " in "
                                    + key
                                    + " is not a valid X.509 certificate ("
                                    + e.getMessage()
                                    + ")");
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw disabled(key + " could not be read as PEM (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw disabled(
                    key
                            + " holds no PEM certificate (-----BEGIN CERTIFICATE-----); put the"
                            + " service's certificate, or the CA that issued it, in it");
        }
        Date now = new Date();
        for (X509Certificate c : certificates) {
            if (now.after(c.getNotAfter()) || now.before(c.getNotBefore())) {
                warn.accept(
                        "Streamwatch: the certificate '"
                                + c.getSubjectX500Principal().getName()
                                + "' in "
                                + key
                                + " is valid only from "
                                + c.getNotBefore()
                                + " to "
                                + c.getNotAfter()
                                + "; connections that depend on it will fail");
            }
        }
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                trusted.setCertificateEntry("trusted-" + i, certificates.get(i));
            }
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return new HostnameVerifyingSocketFactory(context.getSocketFactory());
        } catch (GeneralSecurityException | IOException e) {
            throw disabled("cannot build a trust store from " + key + " (" + e + ")");
        }
    }

    private static ConfigException disabled(String message) {
        return new ConfigException("Streamwatch listener disabled: " + message + ".", true);
    }
}
