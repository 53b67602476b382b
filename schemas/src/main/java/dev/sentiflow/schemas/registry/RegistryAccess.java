package dev.sentiflow.schemas.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the client proves who it is and whom it trusts: an optional HTTP basic-auth
 * {@code USER:PASSWORD} (Confluent's {@code basic.auth.user.info}) and an optional TLS context
 * (null = the JVM's default trust store).
 */
public record RegistryAccess(String basicAuthUserInfo, SSLContext sslContext) {

    /** No credentials, the JVM's default trust. */
    public static final RegistryAccess NONE = new RegistryAccess(null, null);

    public RegistryAccess {
        if (basicAuthUserInfo != null && !basicAuthUserInfo.isEmpty() && basicAuthUserInfo.indexOf(':') < 0) {
            // Never echo the value: it is a password.
            throw new IllegalArgumentException("registry basic auth user info must be USER:PASSWORD (no ':' found)");
        }
    }

    /** The {@code Authorization} header value, or null without credentials. */
    String authorizationHeader() {
        if (basicAuthUserInfo == null || basicAuthUserInfo.isEmpty()) {
            return null;
        }
        return "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A TLS context trusting the certificates in {@code truststore} and, when {@code keystore} is
     * given, presenting its key (mutual TLS). Store types (PKCS12, JKS) are detected from the files.
     */
    public static SSLContext tlsContext(Path truststore, char[] truststorePassword, Path keystore,
                                        char[] keystorePassword) {
        try {
            TrustManagerFactory trust = null;
            if (truststore != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(KeyStore.getInstance(truststore.toFile(), truststorePassword));
            }
            KeyManagerFactory keys = null;
            if (keystore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(KeyStore.getInstance(keystore.toFile(), keystorePassword), keystorePassword);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the registry TLS stores (truststore " + truststore
                    + ", keystore " + keystore + "): " + e.getMessage(), e);
        }
    }
}
