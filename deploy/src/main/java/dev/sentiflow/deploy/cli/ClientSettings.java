package dev.sentiflow.deploy.cli;

import dev.sentiflow.schemas.config.SchemaRegistrySettings;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * The connection options of the client commands ({@code topics}, {@code tail}, {@code report}),
 * declared once as a picocli mixin: brokers and a {@code .properties} file of further client settings
 * (security, timeouts) and of the registry's ({@code schema.registry.url}, {@code .basic.auth.user.info},
 * {@code .ssl.truststore.*}, as the services take them). The local stack writes such a file, {@code <workdir>/client.properties},
 * holding its broker and registry addresses. An option on the command line wins over the file.
 */
public final class ClientSettings {

    /** Key of the registry URL in the settings file (the services' own name for it); not a Kafka setting. */
    public static final String REGISTRY_KEY = "schema.registry.url";
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    static final String DEFAULT_REGISTRY = "http://localhost:8081";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (default: bootstrap.servers from --config, else " + DEFAULT_BOOTSTRAP + ").")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE.properties",
            description = "Kafka client settings such as security.protocol and sasl.*; runs/local/client.properties "
                    + "points at the local stack.")
    Path configFile;

    /** Settings for a Kafka Admin, consumer or producer. */
    public Map<String, Object> kafka() {
        Map<String, Object> settings = new HashMap<>();
        fileSettings().forEach((key, value) -> {
            if (!SchemaRegistrySettings.DEFINITION.names().contains(key)) {
                settings.put(key, value);
            }
        });
        if (bootstrapServers != null) {
            settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        settings.putIfAbsent(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP);
        return settings;
    }

    /** The registry URL: {@code --registry} when given, else the settings file's, else the default. */
    public String registry(RegistryOption option) {
        if (option.url != null) {
            return option.url;
        }
        return fileSettings().getOrDefault(REGISTRY_KEY, DEFAULT_REGISTRY);
    }

    /**
     * A registry client with everything the settings file says about the registry (the services'
     * own {@code schema.registry.*} keys: basic auth, trust and key stores), at {@code --registry} when
     * given: a secured registry is reached by every command as by the services.
     */
    public SchemaRegistryClient registryClient(RegistryOption option) {
        Map<String, Object> values = new HashMap<>();
        fileSettings().forEach((key, value) -> {
            if (SchemaRegistrySettings.DEFINITION.names().contains(key)) {
                values.put(key, value);
            }
        });
        values.put(REGISTRY_KEY, registry(option));
        return SchemaRegistrySettings.client(values);
    }

    /** Whether the command line named a cluster ({@code --bootstrap-servers} or {@code --config}). */
    public boolean given() {
        return bootstrapServers != null || configFile != null;
    }

    public String bootstrap() {
        return String.valueOf(kafka().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    private Map<String, String> fileSettings() {
        if (configFile == null) {
            return Map.of();
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(configFile)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --config " + configFile + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new HashMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k)));
        return values;
    }
}
