package dev.sentiflow.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sentiflow.schemas.registry.RegistryAccess;
import dev.sentiflow.schemas.registry.RegistryConfigurationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry options build a client that speaks TLS with the configured trust store and sends
 * basic-auth credentials, against a real HTTPS server on 127.0.0.1 with a certificate made by the
 * JDK's keytool.
 */
class SchemaRegistrySettingsTest {

    @Test
    void truststoreAndBasicAuthReachTheRegistry(@TempDir Path dir) throws Exception {
        Path server = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-keystore", server.toString(), "-storetype", "PKCS12", "-storepass", "server-pw");
        keytool("-exportcert", "-alias", "registry", "-keystore", server.toString(), "-storepass", "server-pw",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(),
                "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", "trust-pw");

        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // The server presents its own key: the client-side keystore option reads the same kind of file.
        https.setHttpsConfigurator(new HttpsConfigurator(RegistryAccess.tlsContext(null, null, server,
                "server-pw".toCharArray())));
        List<String> auth = new CopyOnWriteArrayList<>();
        https.createContext("/", exchange -> {
            auth.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"schema\":\"\\\"string\\\"\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        https.start();
        try {
            String url = "https://127.0.0.1:" + https.getAddress().getPort();
            var client = SchemaRegistrySettings.client(Map.of(
                    SchemaRegistrySettings.URL, url,
                    SchemaRegistrySettings.BASIC_AUTH_USER_INFO, "bob:pw",
                    SchemaRegistrySettings.TRUSTSTORE_LOCATION, trust.toString(),
                    SchemaRegistrySettings.TRUSTSTORE_PASSWORD, "trust-pw",
                    "bootstrap.servers", "ignored:9092"));
            assertEquals("\"string\"", client.schemaById(1).toString());
            assertEquals(List.of("Basic Ym9iOnB3"), auth);

            // Without the trust store the JVM does not trust the certificate: a configuration error, not retried.
            var untrusting = SchemaRegistrySettings.client(Map.of(SchemaRegistrySettings.URL, url));
            RegistryConfigurationException e = assertThrows(RegistryConfigurationException.class,
                    () -> untrusting.schemaById(2));
            assertTrue(e.getMessage().contains("truststore"), e.getMessage());
        } finally {
            https.stop(0);
        }
    }

    @Test
    void aMissingTruststoreIsABadSettingNamingTheFile(@TempDir Path dir) throws Exception {
        Path trust = dir.resolve("missing.p12");
        ConfigException e = assertThrows(ConfigException.class, () -> SchemaRegistrySettings.client(Map.of(
                SchemaRegistrySettings.URL, "https://127.0.0.1:1",
                SchemaRegistrySettings.TRUSTSTORE_LOCATION, trust.toString())));
        assertTrue(e.getMessage().contains(trust.toString()), e.getMessage());
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "keytool " + String.join(" ", args) + ":\n" + out);
    }
}
