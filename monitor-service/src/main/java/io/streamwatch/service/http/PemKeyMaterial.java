package io.streamwatch.service.http;

import io.streamwatch.service.config.ConfigException;
import io.streamwatch.service.config.ServiceConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's certificate chain and private key, read from the PEM files named by {@code
 * server.tls} and checked against each other. Every problem is a {@link ConfigException} naming the
 * key, the file and what to do; the key never appears in a message or in {@link #toString()}.
 *
 * @param chain the server's certificate first, then any intermediates, as in the certificate file
 * @param key the private key of {@code chain.get(0)}
 */
record PemKeyMaterial(List<X509Certificate> chain, PrivateKey key) {
    private static final String CERT_KEY =
            "server.tls.certFile (env STREAMWATCH_SERVER_TLS_CERT_FILE)";
    private static final String KEY_KEY =
            "server.tls.keyFile (env STREAMWATCH_SERVER_TLS_KEY_FILE)";
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String TO_PKCS8 =
            "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY.pem -out key-pkcs8.pem";

    PemKeyMaterial {
        chain = List.copyOf(chain);
    }

    /** Reads and cross-checks both files. */
    static PemKeyMaterial load(ServiceConfig.Tls tls) {
        List<X509Certificate> chain = certificates(tls.certFile());
        PrivateKey key = privateKey(tls.keyFile(), chain.get(0).getPublicKey());
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw problem(
                    KEY_KEY
                            + ": the private key in '"
                            + tls.keyFile()
                            + "' does not belong to the first certificate in '"
                            + tls.certFile()
                            + "' ("
                            + chain.get(0).getSubjectX500Principal().getName()
                            + "); use the key the certificate was issued for, and put the server's own certificate first in certFile");
        }
        return new PemKeyMaterial(chain, key);
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    @Override
    public String toString() {
        return "PemKeyMaterial{subject="
                + leaf().getSubjectX500Principal().getName()
                + ", chain="
                + chain.size()
                + ", key="
                + key.getAlgorithm()
                + " <hidden>}";
    }

    private static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JVM has no X.509 support", e);
        }
        for (Block b : blocks(file, CERT_KEY)) {
            if (!b.type().equals("CERTIFICATE")) continue;
            try {
                out.add(
                        (X509Certificate)
                                factory.generateCertificate(
                                        new ByteArrayInputStream(b.der(file, CERT_KEY))));
            } catch (CertificateException | ClassCastException e) {
                throw problem(
                        CERT_KEY
                                + ": certificate #"
                                + (out.size() + 1)
                                + " in '"
                                + file
                                + "' is not a valid X.509 certificate ("
                                + e.getMessage()
                                + ")");
            }
        }
        if (out.isEmpty()) {
            throw problem(
                    CERT_KEY
                            + ": '"
                            + file
                            + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----); it must hold the "
                            + "server's certificate, then any intermediate CA certificates");
        }
        return out;
    }

    private static PrivateKey privateKey(Path file, PublicKey certKey) {
        Block found = null;
        for (Block b : blocks(file, KEY_KEY)) {
            if (b.type().endsWith("PRIVATE KEY")) {
                found = b;
                break;
            }
        }
        if (found == null) {
            throw problem(
                    KEY_KEY
                            + ": '"
                            + file
                            + "' holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        switch (found.type()) {
            case "PRIVATE KEY" -> {}
            case "ENCRYPTED PRIVATE KEY" ->
                    throw problem(
                            KEY_KEY
                                    + ": the key in '"
                                    + file
                                    + "' is encrypted; the service needs an "
                                    + "unencrypted PKCS#8 key (protect the file by its permissions instead); "
                                    + TO_PKCS8);
            case "RSA PRIVATE KEY", "EC PRIVATE KEY" ->
                    throw problem(
                            KEY_KEY
                                    + ": the key in '"
                                    + file
                                    + "' is in the old "
                                    + found.type().replace(" PRIVATE KEY", "")
                                    + "-specific format (-----BEGIN "
                                    + found.type()
                                    + "-----); the service reads PKCS#8 (-----BEGIN PRIVATE KEY-----); "
                                    + TO_PKCS8);
            default ->
                    throw problem(
                            KEY_KEY
                                    + ": unsupported key type '"
                                    + found.type()
                                    + "' in '"
                                    + file
                                    + "'; the service reads an unencrypted PKCS#8 RSA or EC key (-----BEGIN PRIVATE KEY-----)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(found.der(file, KEY_KEY));
        for (String algorithm :
                new LinkedHashSet<>(List.of(certKey.getAlgorithm(), "RSA", "EC", "EdDSA"))) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException
                    | java.security.NoSuchAlgorithmException
                    | RuntimeException e) {
                // try the next algorithm
            }
        }
        throw problem(
                KEY_KEY
                        + ": the PKCS#8 block in '"
                        + file
                        + "' is not a valid RSA or EC private key");
    }

    /**
     * Proof of possession: a signature made with {@code key} verifies with the certificate's public
     * key.
     */
    private static boolean matches(PrivateKey key, PublicKey certKey) {
        if (!key.getAlgorithm().equals(certKey.getAlgorithm())) return false;
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "RSA" -> "SHA256withRSA";
                    case "EC" -> "SHA256withECDSA";
                    default -> key.getAlgorithm();
                };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private record Block(String type, String body) {
        byte[] der(Path file, String key) {
            try {
                return Base64.getMimeDecoder().decode(body.strip());
            } catch (IllegalArgumentException e) {
                throw problem(
                        key
                                + ": the "
                                + type
                                + " block in '"
                                + file
                                + "' is not valid base64 ("
                                + e.getMessage()
                                + ")");
            }
        }
    }

    private static List<Block> blocks(Path file, String key) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw problem(key + ": cannot read '" + file + "' (" + e.getMessage() + ")");
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2)));
        }
        if (out.isEmpty()) {
            throw problem(
                    key
                            + ": '"
                            + file
                            + "' is not a PEM file (no -----BEGIN ...----- / -----END ...----- block found)");
        }
        return out;
    }

    private static ConfigException problem(String message) {
        return new ConfigException(List.of(message));
    }
}
