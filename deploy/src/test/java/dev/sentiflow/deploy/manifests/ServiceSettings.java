package dev.sentiflow.deploy.manifests;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import dev.sentiflow.schemas.config.KafkaClientSettings;

/**
 * What one deployed instance of a service is given, as the service itself would read it
 * ({@code ConfigSources.load} over its arguments and environment), and the checks on it.
 *
 * @param where           e.g. "compose.yaml service ingest" or "k8s/30-ingest.yaml Deployment sentiflow-ingest"
 * @param values          option key to value
 * @param origins         option key to where it came from (a file, a ConfigMap key, a variable)
 * @param signingKeySource where checkpoint.signing.key comes from (an env file, a Secret key), null when not set
 * @param instances       replicas of this instance (1 in compose)
 */
record ServiceSettings(ServiceKind kind, String where, Map<String, String> values, Map<String, String> origins,
        String signingKeySource, int instances) {

    /** Placeholder marker of the templates; replaced by a dummy value before the config classes see it. */
    static final String PLACEHOLDER = "CHANGE-ME";

    private static final List<String> KIND_PREFIXES = List.of("main.consumer.", "restore.consumer.",
            "global.consumer.", KafkaClientSettings.ADMIN, KafkaClientSettings.PRODUCER, KafkaClientSettings.CONSUMER);

    /** Every problem with these settings, each naming the key and where it came from; empty = fine. */
    List<String> problems() {
        List<String> problems = optionProblems(kind.definition, kind.word, values, origins, where);
        if (problems.isEmpty()) {
            problems.addAll(constructionProblems());
        }
        return problems;
    }

    /**
     * Keys that are neither an option of the definition nor a {@code kafka.}-prefixed Kafka client
     * setting, and options without a default that are not set.
     */
    static List<String> optionProblems(ConfigDef definition, String service, Map<String, String> values,
            Map<String, String> origins, String where) {
        List<String> problems = new ArrayList<>();
        Set<String> names = definition.names();
        for (String key : new TreeMap<>(values).keySet()) {
            if (key.startsWith(KafkaClientSettings.PREFIX)) {
                String client = kafkaClientName(key);
                if (client != null && !kafkaClientNames().contains(client)) {
                    problems.add(where + ": '" + key + "' (from " + origins.get(key) + ") is not a Kafka client setting ('"
                            + client + "' is no admin, producer, consumer or Streams config)");
                }
            } else if (!names.contains(key)) {
                problems.add(where + ": unknown " + service + " option '" + key + "' (from " + origins.get(key)
                        + "); " + service + " refuses it at start");
            }
        }
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            if (!key.hasDefault() && !values.containsKey(key.name)) {
                problems.add(where + ": required " + service + " option '" + key.name + "' is not set");
            }
        }
        return problems;
    }

    /** Builds the service's config class and the Kafka clients' configs from the settings, as the service does at start. */
    private List<String> constructionProblems() {
        Map<String, String> dummy = values.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().replace(PLACEHOLDER, "dummy")));
        try {
            kind.construct.apply(dummy, origins);
            KafkaClientSettings clients = KafkaClientSettings.fromOptions(dummy, kind.definition.names());
            String bootstrap = kind.effective(dummy, "bootstrap.servers");
            Map<String, Object> admin = new java.util.HashMap<>(clients.admin());
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            new AdminClientConfig(admin);
            Map<String, Object> producer = new java.util.HashMap<>(clients.producer());
            producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            new ProducerConfig(producer);
            Map<String, Object> consumer = new java.util.HashMap<>(clients.consumer());
            consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            new ConsumerConfig(consumer);
            if (kind.streams()) {
                Properties streams = new Properties();
                streams.putAll(clients.streams());
                streams.put(StreamsConfig.APPLICATION_ID_CONFIG, kind.effective(dummy, "application.id"));
                streams.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                new StreamsConfig(streams);
            }
            return List.of();
        } catch (RuntimeException e) {
            return List.of(where + ": " + kind.word + " refuses these settings: " + e.getMessage());
        }
    }

    /** {@code kafka.[admin.|producer.|...]X} to X; null for {@code kafka.topic.X} (topic settings for Streams' internal topics). */
    static String kafkaClientName(String key) {
        String rest = key.substring(KafkaClientSettings.PREFIX.length());
        if (rest.startsWith("topic.")) {
            return null;
        }
        for (String prefix : KIND_PREFIXES) {
            if (rest.startsWith(prefix)) {
                return rest.substring(prefix.length());
            }
        }
        return rest;
    }

    static Set<String> kafkaClientNames() {
        Set<String> names = new HashSet<>(AdminClientConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(StreamsConfig.configDef().names());
        return names;
    }
}
