package dev.sentiflow.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's
 * {@code keytool}: the server's PKCS12 key store and a trust store holding only that certificate, as
 * a client of a cluster with its own CA would be given. Both use {@code password}.
 */
public record TlsFiles(Path keyStore, Path trustStore, String password) {

    /** Writes {@code server.p12} and {@code trust.p12} into {@code dir}. */
    public static TlsFiles create(Path dir, String password) {
        try {
            Files.createDirectories(dir);
            Path keyStore = dir.resolve("server.p12");
            Path certificate = dir.resolve("server.crt");
            Path trustStore = dir.resolve("trust.p12");
            keytool(List.of("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keyStore.toString(),
                    "-storetype", "PKCS12", "-storepass", password, "-keypass", password));
            keytool(List.of("-exportcert", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", password,
                    "-rfc", "-file", certificate.toString()));
            keytool(List.of("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
                    "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", password));
            return new TlsFiles(keyStore, trustStore, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TLS files into " + dir, e);
        }
    }

    /** An SSL context that trusts exactly this certificate. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + trustStore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an SSL context from " + trustStore + ": " + e.getMessage(), e);
        }
    }

    private static void keytool(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments.get(0) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
