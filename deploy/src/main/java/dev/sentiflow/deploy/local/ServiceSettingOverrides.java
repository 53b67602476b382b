package dev.sentiflow.deploy.local;

import dev.sentiflow.inference.InferenceConfig;
import dev.sentiflow.ingest.IngestConfig;
import dev.sentiflow.trainer.config.TrainerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;

/**
 * {@code local --set trainer.round.size=200}: a setting for one service of the local stack, checked
 * against that service's own declarations before anything starts, so a typo is an error here and
 * not a child that dies a minute later. Kafka client settings pass through as {@code kafka.*}, as
 * every service reads them; the broker and registry addresses are the stack's own.
 */
final class ServiceSettingOverrides {

    private static final Map<String, ConfigDef> SERVICES = Map.of("ingest", IngestConfig.DEFINITION,
            "trainer", TrainerConfig.DEFINITION, "inference", InferenceConfig.DEFINITION);
    private static final Set<String> OWNED_BY_THE_STACK = Set.of("bootstrap.servers", "schema.registry.url");

    private ServiceSettingOverrides() {
    }

    /** @throws IllegalArgumentException naming the bad entry and what is accepted */
    static Map<String, Map<String, String>> parse(List<String> entries) {
        Map<String, Map<String, String>> byService = new TreeMap<>();
        for (String entry : entries) {
            int dot = entry.indexOf('.');
            int equals = entry.indexOf('=');
            if (dot <= 0 || equals < dot + 2) {
                throw new IllegalArgumentException("--set '" + entry + "': expected SERVICE.KEY=VALUE, e.g. "
                        + "trainer.round.size=200 (SERVICE: " + String.join(", ", new TreeMap<>(SERVICES).keySet()) + ")");
            }
            String service = entry.substring(0, dot);
            String key = entry.substring(dot + 1, equals);
            ConfigDef definition = SERVICES.get(service);
            if (definition == null) {
                throw new IllegalArgumentException("--set '" + entry + "': no service '" + service + "'; one of "
                        + String.join(", ", new TreeMap<>(SERVICES).keySet()));
            }
            if (OWNED_BY_THE_STACK.contains(key)) {
                throw new IllegalArgumentException("--set '" + entry + "': " + key + " is the local stack's own");
            }
            if (!definition.names().contains(key) && !key.startsWith("kafka.")) {
                throw new IllegalArgumentException("--set '" + entry + "': " + service + " has no setting '" + key
                        + "' (see ./pipeline " + service + " --help)");
            }
            byService.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(key, entry.substring(equals + 1));
        }
        return byService;
    }
}
