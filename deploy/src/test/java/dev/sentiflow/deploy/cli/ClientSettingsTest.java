package dev.sentiflow.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands (tail, report) reach a registry that wants credentials, from the same
 * {@code schema.registry.*} keys the services take, written in the {@code --config} file; the
 * registry keys do not leak into the Kafka clients' settings. A real HTTP server on 127.0.0.1
 * checks the header (TLS and trust stores are {@code SchemaRegistrySettingsTest}'s).
 */
class ClientSettingsTest {

    @Test
    void theRegistrysCredentialsInTheConfigFileReachTheRegistry(@TempDir Path dir) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> auth = new CopyOnWriteArrayList<>();
        http.createContext("/", exchange -> {
            auth.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"schema\":\"\\\"string\\\"\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try {
            Path file = dir.resolve("client.properties");
            Files.writeString(file, "bootstrap.servers=broker:9092\nsecurity.protocol=SASL_SSL\n"
                    + "schema.registry.url=http://127.0.0.1:" + http.getAddress().getPort() + "\n"
                    + "schema.registry.basic.auth.user.info=bob:pw\n");
            ClientSettings settings = new ClientSettings();
            settings.configFile = file;
            assertEquals("\"string\"", settings.registryClient(new RegistryOption()).schemaById(1).toString());
            assertEquals(List.of("Basic Ym9iOnB3"), auth);
            assertEquals("SASL_SSL", settings.kafka().get("security.protocol"));
            assertFalse(settings.kafka().keySet().stream().anyMatch(k -> k.startsWith("schema.registry.")),
                    settings.kafka().toString());
        } finally {
            http.stop(0);
        }
    }
}
