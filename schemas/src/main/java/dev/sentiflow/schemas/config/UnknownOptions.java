package dev.sentiflow.schemas.config;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Refuses settings a service does not know, so that a typo ({@code tokenizer.max.lenght=64}) fails
 * at start naming the key instead of being ignored. Keys under {@code kafka.} are client settings
 * and are checked by Kafka's clients themselves.
 */
public final class UnknownOptions {

    private UnknownOptions() {
    }

    /**
     * @param origins where a key came from when that helps (e.g. "environment variable SENTIFLOW_X"); may
     *                lack keys
     */
    public static void reject(ConfigDef definition, Map<?, ?> values, Map<String, String> origins) {
        for (Object key : values.keySet()) {
            String name = String.valueOf(key);
            if (!definition.names().contains(name) && !name.startsWith(KafkaClientSettings.PREFIX)) {
                String origin = origins.get(name);
                String renamed = SharedOptions.RENAMED.get(name);
                if (renamed != null && definition.names().contains(renamed)) {
                    throw new ConfigException("option '" + name + "'" + (origin == null ? "" : " (from " + origin + ")")
                            + " was renamed '" + renamed + "' (the same name in every service); use that instead");
                }
                throw new ConfigException("unknown option '" + name + "'" + (origin == null ? "" : " (from " + origin
                        + ")") + ": not one of this service's options (see --help), and Kafka client settings "
                        + "take the prefix '" + KafkaClientSettings.PREFIX + "'");
            }
        }
    }
}
