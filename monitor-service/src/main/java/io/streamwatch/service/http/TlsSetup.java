package io.streamwatch.service.http;

import io.javalin.config.JavalinConfig;
import io.streamwatch.service.config.ServiceConfig;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves HTTPS only when {@code server.tls} is set: a single Jetty connector on {@code host:port}
 * (there is no plaintext port) with the PEM certificate chain and PKCS#8 key, TLS 1.3 and 1.2 only.
 *
 * <p>The files are read and checked here, while the server is being constructed, so a bad file or a
 * key that does not belong to the certificate stops startup with a {@link
 * io.streamwatch.service.config.ConfigException} before anything binds. The files are read once:
 * replacing the certificate takes a restart.
 */
final class TlsSetup {
    private static final Logger log = LoggerFactory.getLogger(TlsSetup.class);

    /** Protocols offered, newest first; TLS 1.1 and older are refused. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private TlsSetup() {}

    /** Configures Javalin to listen with TLS on {@code host:port} instead of plain HTTP. */
    static void configure(JavalinConfig cfg, ServiceConfig.Tls tls, String host, int port) {
        PemKeyMaterial material = PemKeyMaterial.load(tls);
        X509Certificate leaf = material.leaf();
        Date now = new Date();
        if (now.after(leaf.getNotAfter()) || now.before(leaf.getNotBefore())) {
            log.warn(
                    "server.tls.certFile: the certificate in '{}' is valid only from {} to {}; clients will refuse it until it "
                            + "is replaced",
                    tls.certFile(),
                    leaf.getNotBefore().toInstant(),
                    leaf.getNotAfter().toInstant());
        }
        SslContextFactory.Server ssl = sslContextFactory(material);
        String described = describe(leaf, tls);
        cfg.jetty.addConnector(
                (server, httpConfig) -> connector(server, httpConfig, ssl, host, port, described));
    }

    private static SslContextFactory.Server sslContextFactory(PemKeyMaterial material) {
        // An in-memory key store with a throwaway password: Jetty's way to take a key it did not
        // load itself.
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getEncoder().encodeToString(random);
        KeyStore keyStore;
        try {
            keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(
                    "streamwatch",
                    material.key(),
                    password.toCharArray(),
                    material.chain().toArray(new Certificate[0]));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(
                    "cannot hold the TLS key in memory: " + e.getMessage(), e);
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keyStore);
        ssl.setKeyStorePassword(password);
        ssl.setKeyManagerPassword(password);
        ssl.setIncludeProtocols(PROTOCOLS.toArray(new String[0]));
        ssl.setRenegotiationAllowed(false);
        return ssl;
    }

    private static ServerConnector connector(
            Server server,
            HttpConfiguration base,
            SslContextFactory.Server ssl,
            String host,
            int port,
            String described) {
        HttpConfiguration https = new HttpConfiguration(base);
        https.setSecureScheme("https");
        https.setSecurePort(port);
        // No SNI host check: whether the certificate fits the name a client used is the client's
        // verification to make; Jetty's check would only turn it into an obscure "400 Invalid SNI".
        https.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector connector =
                new ServerConnector(
                        server,
                        new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                        new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        connector.addEventListener(
                new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarted(LifeCycle event) {
                        log.info(
                                "TLS is on: HTTPS only (no plain HTTP) on {}:{}, {}, {}",
                                host,
                                connector.getLocalPort(),
                                String.join("/", PROTOCOLS),
                                described);
                    }
                });
        return connector;
    }

    /** Subject, names and validity of the certificate, for the start-up log line. */
    private static String describe(X509Certificate leaf, ServiceConfig.Tls tls) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    Object type = san.get(0);
                    if (Integer.valueOf(2).equals(type)) names.add("dns:" + san.get(1));
                    if (Integer.valueOf(7).equals(type)) names.add("ip:" + san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            names.add("unreadable");
        }
        return "certificate '"
                + leaf.getSubjectX500Principal().getName()
                + "' from "
                + tls.certFile()
                + " (names "
                + (names.isEmpty() ? "none" : String.join(", ", names))
                + "; valid until "
                + leaf.getNotAfter().toInstant()
                + ")";
    }
}
