package dev.sentiflow.ingest;

import dev.sentiflow.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every option of the ingest app, declared once. README's configuration table is generated from
 * {@link #DEFINITION}; options whose names start with {@code kafka.} are passed to Kafka Streams
 * unchanged (without the prefix), so any client setting (security, timeouts) can be given.
 */
public final class IngestConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
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
    public static final String KAFKA_PREFIX = "kafka.";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", Importance.HIGH,
                    "Kafka brokers to connect to (host:port, comma-separated).")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://localhost:8081", Importance.HIGH,
                    "Base URL of a Confluent-compatible schema registry (for Apicurio: http://HOST:PORT/apis/ccompat/v7).")
            .define(APPLICATION_ID, Type.STRING, "sentiflow-ingest", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
            .define(REVIEWS_TOPIC, Type.STRING, Topics.REVIEWS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Input topic of Review records.")
            .define(TOKENIZED_TOPIC, Type.STRING, Topics.REVIEWS_TOKENIZED, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Output topic of TokenizedReview records.")
            .define(DLQ_TOPIC, Type.STRING, Topics.REVIEWS_DLQ, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Dead-letter topic: every rejected input as a DeadLetter record with the reason and original bytes.")
            .define(LABELS, Type.LIST, "negative,positive", new DistinctNonEmptyList(), Importance.HIGH,
                    "The label set, in class-index order. Explicit labels must be one of these (case-insensitive).")
            .define(RATING_MAPPING, Type.STRING, "1-2:negative,3:exclude,4-5:positive", Importance.HIGH,
                    "Star rating to label: comma-separated RANGE:LABEL, where LABEL is in the label set or 'exclude' "
                            + "(sent to the DLQ as NEUTRAL_EXCLUDED). Use 3:neutral with labels negative,neutral,positive "
                            + "to keep three classes. Ratings outside every range go to the DLQ as INVALID_RATING.")
            .define(TEXT_MAX_BYTES, Type.INT, 65_536, Range.between(1, 10 * 1024 * 1024), Importance.MEDIUM,
                    "Longest accepted review text in UTF-8 bytes; longer ones go to the DLQ as TEXT_TOO_LARGE.")
            .define(MAX_LENGTH, Type.INT, 128, Range.between(2, 8192), Importance.MEDIUM,
                    "Maximum tokens per review including [CLS] and [SEP]; longer texts are truncated and flagged.")
            .define(TOKENIZER_JSON, Type.STRING, "", Importance.MEDIUM,
                    "Path of a Hugging Face tokenizer.json (BERT WordPiece); empty = the bundled bert-base-uncased one.")
            .define(STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
                    "Kafka Streams threads in this instance (scale out with more instances up to the partition count).")
            .define(STATE_DIR, Type.STRING, "", Importance.LOW,
                    "Kafka Streams state directory; empty = sentiflow-streams under the JVM's temporary directory.");

    /** Prints the configuration table that README.md carries. */
    public static void main(String[] args) {
        System.out.print(dev.sentiflow.schemas.config.ConfigMarkdown.table(DEFINITION));
    }

    public IngestConfig(Map<?, ?> values) {
        super(DEFINITION, values, false);
        ratingMapping(); // fail at start-up, naming the option, rather than on the first record
    }

    public LabelPolicy labelPolicy() {
        return new LabelPolicy(getList(LABELS), ratingMapping());
    }

    private RatingMapping ratingMapping() {
        try {
            return RatingMapping.parse(getString(RATING_MAPPING), getList(LABELS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(RATING_MAPPING, getString(RATING_MAPPING), e.getMessage());
        }
    }

    /** Kafka Streams settings: exactly-once, our ids and servers, then any {@code kafka.*} overrides. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(STREAM_THREADS));
        String stateDir = getString(STATE_DIR);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.isBlank()
                ? java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "sentiflow-streams").toString() : stateDir);
        originalsWithPrefix(KAFKA_PREFIX).forEach(props::put);
        return props;
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
