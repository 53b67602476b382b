package dev.sentiflow.schemas.config;

import dev.sentiflow.schemas.registry.RegistryAccess;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The schema-registry options every service and the file producer share (names as in Confluent's
 * clients where they have one), declared once, and the client they configure.
 */
public final class SchemaRegistrySettings {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";

    /** Just these options, for tools that have no ConfigDef of their own. */
    public static final ConfigDef DEFINITION = define(new ConfigDef());

    private SchemaRegistrySettings() {
    }

    /** Adds the registry options to a service's definition and returns it. */
    public static ConfigDef define(ConfigDef definition) {
        return definition
                .define(URL, Type.STRING, "http://localhost:8081", Importance.HIGH,
                        "Base URL of a Confluent-compatible schema registry (for Apicurio: "
                                + "http://HOST:PORT/apis/ccompat/v7); https:// for TLS.")
                .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                        "USER:PASSWORD for HTTP basic authentication to the registry; empty = none.")
                .define(TRUSTSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM,
                        "Trust store (PKCS12 or JKS) with the registry's CA for https://; empty = the JVM's default.")
                .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                        "Password of the registry trust store.")
                .define(KEYSTORE_LOCATION, Type.STRING, "", Importance.LOW,
                        "Key store (PKCS12 or JKS) with this client's key and certificate, for registries that "
                                + "require mutual TLS; empty = none.")
                .define(KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW,
                        "Password of the registry key store and of the key in it.");
    }

    /** A client for the registry these options describe. */
    public static SchemaRegistryClient client(AbstractConfig config) {
        return client(config, SchemaRegistryClient.RetryPolicy.DEFAULT);
    }

    public static SchemaRegistryClient client(AbstractConfig config, SchemaRegistryClient.RetryPolicy retry) {
        String url = config.getString(URL);
        try {
            return new SchemaRegistryClient(url, retry, access(config));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("schema registry settings: " + e.getMessage());
        }
    }

    /** A client from the registry entries of a plain map (other entries are ignored). */
    public static SchemaRegistryClient client(Map<String, ?> values) {
        Map<String, Object> own = new java.util.HashMap<>();
        values.forEach((k, v) -> {
            if (DEFINITION.names().contains(k)) {
                own.put(k, v);
            }
        });
        return client(new AbstractConfig(DEFINITION, own, false));
    }

    private static RegistryAccess access(AbstractConfig config) {
        String truststore = config.getString(TRUSTSTORE_LOCATION);
        String keystore = config.getString(KEYSTORE_LOCATION);
        SSLContext tls = truststore.isBlank() && keystore.isBlank() ? null : RegistryAccess.tlsContext(
                truststore.isBlank() ? null : Path.of(truststore), chars(config.getPassword(TRUSTSTORE_PASSWORD)),
                keystore.isBlank() ? null : Path.of(keystore), chars(config.getPassword(KEYSTORE_PASSWORD)));
        Password userInfo = config.getPassword(BASIC_AUTH_USER_INFO);
        return new RegistryAccess(userInfo == null ? null : userInfo.value(), tls);
    }

    private static char[] chars(Password password) {
        return password == null ? null : password.value().toCharArray();
    }
}
