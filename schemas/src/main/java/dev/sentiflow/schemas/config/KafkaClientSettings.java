package dev.sentiflow.schemas.config;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * Turns a service's {@code kafka.}-prefixed options into the settings of each Kafka client it runs,
 * following Kafka's own convention: {@code kafka.X} is a client setting for every client (Streams,
 * admin, producer, consumer), {@code kafka.admin.X}, {@code kafka.producer.X} and
 * {@code kafka.consumer.X} only for that kind of client, winning over {@code kafka.X}. For Kafka
 * Streams the kind-specific ones keep Streams' own {@code admin.}/{@code producer.}/{@code consumer.}
 * prefixes, and {@code kafka.main.consumer.X}, {@code kafka.restore.consumer.X},
 * {@code kafka.global.consumer.X} and {@code kafka.topic.X} go to Streams alone.
 *
 * <p>No override may silently weaken exactly-once or bypass the options the services declare
 * themselves: {@code processing.guarantee} other than {@code exactly_once_v2},
 * {@code enable.idempotence=false}, {@code isolation.level=read_uncommitted}, and
 * {@code bootstrap.servers} or {@code application.id} under {@code kafka.} are refused with a
 * {@link ConfigException} naming the key.
 */
public final class KafkaClientSettings {

    public static final String PREFIX = "kafka.";
    public static final String ADMIN = "admin.";
    public static final String PRODUCER = "producer.";
    public static final String CONSUMER = "consumer.";
    private static final List<String> STREAMS_ONLY = List.of("main.consumer.", "restore.consumer.",
            "global.consumer.", "topic.");
    /** Settings every service declares as options of its own. */
    private static final Set<String> ALWAYS_OWN = Set.of("bootstrap.servers", "application.id");

    private final Set<String> ownOptions;
    private final Map<String, Object> common = new LinkedHashMap<>();
    private final Map<String, Object> streamsOnly = new LinkedHashMap<>();
    private final Map<String, Object> admin = new LinkedHashMap<>();
    private final Map<String, Object> producer = new LinkedHashMap<>();
    private final Map<String, Object> consumer = new LinkedHashMap<>();

    private KafkaClientSettings(Collection<String> declared) {
        Set<String> own = new HashSet<>(ALWAYS_OWN);
        own.addAll(declared);
        this.ownOptions = own;
    }

    /**
     * The {@code kafka.*} entries of a service's options (other entries are ignored).
     *
     * @param declared the service's own option names: {@code kafka.X} for a declared {@code X}
     *                 (e.g. {@code num.stream.threads}) is refused rather than letting one win silently
     */
    public static KafkaClientSettings fromOptions(Map<String, ?> options, Collection<String> declared) {
        KafkaClientSettings settings = new KafkaClientSettings(declared);
        options.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                settings.add(key, key.substring(PREFIX.length()), value);
            }
        });
        return settings;
    }

    /**
     * Plain client settings, as in a {@code client.properties} file given to one client (every
     * entry is treated as if it carried the {@code kafka.} prefix, with the same checks).
     */
    public static KafkaClientSettings fromClientProperties(Map<String, ?> properties) {
        KafkaClientSettings settings = new KafkaClientSettings(Set.of());
        properties.forEach((key, value) -> settings.add(key, key, value));
        return settings;
    }

    private void add(String option, String setting, Object value) {
        if (setting.startsWith(ADMIN)) {
            put(admin, option, setting.substring(ADMIN.length()), value);
        } else if (setting.startsWith(PRODUCER)) {
            put(producer, option, setting.substring(PRODUCER.length()), value);
        } else if (setting.startsWith(CONSUMER)) {
            put(consumer, option, setting.substring(CONSUMER.length()), value);
        } else if (STREAMS_ONLY.stream().anyMatch(setting::startsWith)) {
            put(streamsOnly, option, setting, value);
        } else {
            put(common, option, setting, value);
        }
    }

    private void put(Map<String, Object> target, String option, String setting, Object value) {
        String text = value == null ? "" : value.toString().trim().toLowerCase(Locale.ROOT);
        // The rules apply whichever client a setting is for (main.consumer.isolation.level included).
        String bare = STREAMS_ONLY.stream().filter(setting::startsWith).findFirst()
                .map(p -> setting.substring(p.length())).orElse(setting);
        if (ownOptions.contains(bare)) {
            throw new ConfigException(option, value, "'" + bare + "' has an option of its own; set '" + bare
                    + "' instead of '" + option + "'");
        }
        if (bare.equals("processing.guarantee") && !text.equals("exactly_once_v2")) {
            throw new ConfigException(option, value, "the services run exactly-once (exactly_once_v2) only");
        }
        if (bare.equals("enable.idempotence") && text.equals("false")) {
            throw new ConfigException(option, value, "turning idempotence off would break exactly-once");
        }
        if (bare.equals("isolation.level") && text.equals("read_uncommitted")) {
            throw new ConfigException(option, value, "reading uncommitted records would break exactly-once "
                    + "(use read_committed)");
        }
        target.put(setting, value);
    }

    /** Settings for an admin client: every {@code kafka.X}, then {@code kafka.admin.X}. */
    public Map<String, Object> admin() {
        return merged(admin);
    }

    /** Settings for a producer: every {@code kafka.X}, then {@code kafka.producer.X}. */
    public Map<String, Object> producer() {
        return merged(producer);
    }

    /** The producer's {@code max.request.size}: as set, else Kafka's default. A dead letter must fit it. */
    public int producerMaxRequestSize() {
        Object value = producer().get(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (value == null) {
            return (Integer) org.apache.kafka.clients.producer.ProducerConfig.configDef().defaultValues()
                    .get(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        return (Integer) org.apache.kafka.common.config.ConfigDef.parseType(
                org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG, value,
                org.apache.kafka.common.config.ConfigDef.Type.INT);
    }

    /** Settings for a consumer: every {@code kafka.X}, then {@code kafka.consumer.X}. */
    public Map<String, Object> consumer() {
        return merged(consumer);
    }

    /** Settings for Kafka Streams, which applies its own prefixes to the clients it creates. */
    public Map<String, Object> streams() {
        Map<String, Object> out = new LinkedHashMap<>(common);
        out.putAll(streamsOnly);
        admin.forEach((k, v) -> out.put(ADMIN + k, v));
        producer.forEach((k, v) -> out.put(PRODUCER + k, v));
        consumer.forEach((k, v) -> out.put(CONSUMER + k, v));
        return out;
    }

    private Map<String, Object> merged(Map<String, Object> specific) {
        Map<String, Object> out = new LinkedHashMap<>(common);
        out.putAll(specific);
        return out;
    }
}
