package dev.sentiflow.ingest;

import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.config.ConfigSources;
import dev.sentiflow.schemas.config.KafkaClientSettings;
import dev.sentiflow.schemas.config.SchemaRegistrySettings;
import dev.sentiflow.schemas.ops.OpsSettings;
import dev.sentiflow.schemas.config.UnknownOptions;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every option of the ingest app, declared once. README's configuration table is generated from
 * {@link #DEFINITION}. Options whose names start with {@code kafka.} are Kafka client settings for
 * every client the app runs (Streams, and the admin client that checks topics), with
 * {@code kafka.admin.}, {@code kafka.producer.} and {@code kafka.consumer.} for one kind only (see
 * {@link KafkaClientSettings}); any other unknown key is refused at start.
 */
public final class IngestConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = SchemaRegistrySettings.URL;
    public static final String APPLICATION_ID = "application.id";
    public static final String REVIEWS_TOPIC = "topic.reviews";
    public static final String TOKENIZED_TOPIC = "topic.tokenized";
    public static final String DLQ_TOPIC = "topic.dlq";
    public static final String LABELS = "labels";
    public static final String RATING_MAPPING = "rating.mapping";
    public static final String TEXT_MAX_BYTES = "text.max.bytes";
    public static final String MAX_LENGTH = "tokenizer.max.length";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String STATE_DIR = "state.dir";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String KAFKA_PREFIX = KafkaClientSettings.PREFIX;

    public static final ConfigDef DEFINITION = SchemaRegistrySettings.define(OpsSettings.define(new ConfigDef()))
            .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", Importance.HIGH,
                    "Kafka brokers to connect to (host:port, comma-separated).")
            .define(APPLICATION_ID, Type.STRING, "sentiflow-ingest", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
            .define(REVIEWS_TOPIC, Type.STRING, Topics.REVIEWS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Input topic of Review records.")
            .define(TOKENIZED_TOPIC, Type.STRING, Topics.REVIEWS_TOKENIZED, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Output topic of TokenizedReview records.")
            .define(DLQ_TOPIC, Type.STRING, Topics.REVIEWS_DLQ, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Dead-letter topic: every rejected input as a DeadLetter record with the reason and its original bytes "
                            + "(a prefix, with the whole length and SHA-256, when they would not fit the topic's limit).")
            .define(LABELS, Type.LIST, "negative,positive", new DistinctNonEmptyList(), Importance.HIGH,
                    "The label set, in class-index order. Explicit labels must be one of these (case-insensitive).")
            .define(RATING_MAPPING, Type.STRING, "1-2:negative,3:exclude,4-5:positive", Importance.HIGH,
                    "Star rating to label: comma-separated RANGE:LABEL, where LABEL is in the label set or 'exclude' "
                            + "(sent to the DLQ as NEUTRAL_EXCLUDED). Use 3:neutral with labels negative,neutral,positive "
                            + "to keep three classes. Ratings outside every range go to the DLQ as INVALID_RATING. 'none' "
                            + "(or empty): ratings are not labels; reviews without an explicit label are unlabeled. "
                            + "Left unset with labels that do not include negative and positive, it is 'none'.")
            .define(TEXT_MAX_BYTES, Type.INT, 65_536, Range.between(1, 10 * 1024 * 1024), Importance.MEDIUM,
                    "Longest accepted review text in UTF-8 bytes; longer ones go to the DLQ as TEXT_TOO_LARGE.")
            .define(MAX_LENGTH, Type.INT, 128, Range.between(2, 8192), Importance.MEDIUM,
                    "Maximum tokens per review including [CLS] and [SEP]; longer texts are truncated and flagged.")
            .define(TOKENIZER_JSON, Type.STRING, "", Importance.MEDIUM,
                    "Path of a Hugging Face tokenizer.json (BERT WordPiece); empty = the bundled bert-base-uncased one.")
            .define(STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
                    "Kafka Streams threads in this instance (scale out with more instances up to the partition count).")
            .define(STATE_DIR, Type.STRING, "", Importance.LOW,
                    "Kafka Streams state directory; empty = sentiflow-streams under the JVM's temporary directory.")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 15_000L, Range.atLeast(0), Importance.LOW,
                    "Longest wait for Kafka Streams to close on SIGTERM; then the app exits anyway (an open "
                            + "transaction is aborted, its records never reach read_committed consumers).");

    /** Prints the configuration table that README.md carries. */
    public static void main(String[] args) {
        System.out.print(dev.sentiflow.schemas.config.ConfigMarkdown.table(DEFINITION));
    }

    private final KafkaClientSettings clients;

    public IngestConfig(Map<?, ?> values) {
        this(values, Map.of());
    }

    /** @param origins where keys came from, for the error about an unknown one (see {@link ConfigSources}) */
    public IngestConfig(Map<?, ?> values, Map<String, String> origins) {
        super(DEFINITION, values, false);
        UnknownOptions.reject(DEFINITION, values, origins);
        clients = KafkaClientSettings.fromOptions(originals(), DEFINITION.names());
        ratingMapping(); // fail at start-up, naming the option, rather than on the first record
    }

    public LabelPolicy labelPolicy() {
        return new LabelPolicy(getList(LABELS), ratingMapping());
    }

    private RatingMapping ratingMapping() {
        if (!originals().containsKey(RATING_MAPPING)
                && !getList(LABELS).stream().map(l -> l.toLowerCase(java.util.Locale.ROOT)).toList()
                        .containsAll(List.of("negative", "positive"))) {
            // The default names negative and positive: for another label set it could only refuse to start.
            return RatingMapping.none();
        }
        try {
            return RatingMapping.parse(getString(RATING_MAPPING), getList(LABELS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(RATING_MAPPING, getString(RATING_MAPPING), e.getMessage());
        }
    }

    /** Kafka Streams settings: the {@code kafka.*} client settings, then exactly-once and our own options. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.putAll(clients.streams());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(STREAM_THREADS));
        String stateDir = getString(STATE_DIR);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.isBlank()
                ? java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "sentiflow-streams").toString() : stateDir);
        return props;
    }

    /** Settings for the admin client that checks topics: the same security and timeouts as Streams. */
    public Map<String, Object> adminProperties() {
        Map<String, Object> props = new HashMap<>(clients.admin());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        return props;
    }

    /** The {@code max.request.size} Streams' producer will run with (its default unless overridden). */
    public int producerMaxRequestSize() {
        return clients.producerMaxRequestSize();
    }

    public SchemaRegistryClient registryClient() {
        return SchemaRegistrySettings.client(this);
    }

    public Duration shutdownTimeout() {
        return Duration.ofMillis(getLong(SHUTDOWN_TIMEOUT_MS));
    }

    public List<String> topics() {
        return List.of(getString(REVIEWS_TOPIC), getString(TOKENIZED_TOPIC), getString(DLQ_TOPIC));
    }

    /** At least one entry and no duplicates (case-insensitive), as a label set must be. */
    private static final class DistinctNonEmptyList implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            List<?> list = (List<?>) value;
            if (list == null || list.isEmpty()) {
                throw new ConfigException(name, value, "must list at least one entry");
            }
            long distinct = list.stream().map(v -> v.toString().trim().toLowerCase(java.util.Locale.ROOT)).distinct().count();
            if (distinct != list.size() || list.stream().anyMatch(v -> v.toString().isBlank())) {
                throw new ConfigException(name, value, "entries must be non-blank and distinct");
            }
        }

        @Override
        public String toString() {
            return "non-empty list of distinct names";
        }
    }
}
