package dev.sentiflow.ingest;

import dev.sentiflow.avro.Review;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.progress.ProgressBar;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.config.KafkaClientSettings;
import dev.sentiflow.schemas.config.SchemaRegistrySettings;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Loads reviews from a CSV or JSONL file into the {@code reviews} topic.
 *
 * <pre>
 * produce --file reviews.csv [--topic reviews] [--bootstrap-servers localhost:9092]
 *         [--registry http://localhost:8081] [--id-column id] [--text-column text]
 *         [--label-column label] [--rating-column rating] [--domain-column domain | --domain NAME]
 *         [--label-map 0=negative,1=positive] [--limit N] [--config client.properties]
 * </pre>
 *
 * {@code --config} names a properties file of Kafka producer settings ({@code security.protocol},
 * {@code sasl.jaas.config}, {@code ssl.truststore.location}...) and schema-registry options
 * ({@code schema.registry.url}, {@code schema.registry.basic.auth.user.info},
 * {@code schema.registry.ssl.truststore.location}...), the same names ingest takes (there with the
 * {@code kafka.} prefix for the Kafka ones). Command-line options win over the file.
 *
 * Without an id column a record's id is {@code FILE:LINE}, so producing a file twice yields the same
 * ids. Prints a progress bar and, at the end, how many records were sent.
 */
public final class ReviewFileProducer {

    /**
     * The command line, parsed. {@code producerSettings} are the Kafka client settings from
     * {@code --config}; {@code registrySettings} the registry options (URL included).
     */
    public record Options(Path file, String topic, String bootstrapServers, String registryUrl, String idColumn,
                          String textColumn, String labelColumn, String ratingColumn, String domainColumn,
                          String domain, Map<String, String> labelMap, long limit,
                          Map<String, Object> producerSettings, Map<String, String> registrySettings) {

        static final String USAGE = "usage: produce --file FILE.csv|FILE.jsonl [--topic reviews] "
                + "[--bootstrap-servers localhost:9092] [--registry http://localhost:8081] [--id-column id] "
                + "[--text-column text] [--label-column label] [--rating-column rating] "
                + "[--domain-column domain | --domain NAME] [--label-map 0=negative,1=positive] [--limit N] "
                + "[--config client.properties (Kafka producer settings and schema.registry.* options)]";

        public static Options parse(String[] args) {
            Map<String, String> o = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("option '" + args[i] + "' needs a value\n" + USAGE);
                }
                o.put(args[i].substring(2), args[++i]);
            }
            for (String key : o.keySet()) {
                if (!java.util.Set.of("file", "topic", "bootstrap-servers", "registry", "id-column", "text-column",
                        "label-column", "rating-column", "domain-column", "domain", "label-map", "limit",
                        "config").contains(key)) {
                    throw new IllegalArgumentException("unknown option --" + key + "\n" + USAGE);
                }
            }
            if (!o.containsKey("file")) {
                throw new IllegalArgumentException("--file is required\n" + USAGE);
            }
            long limit;
            try {
                limit = Long.parseLong(o.getOrDefault("limit", String.valueOf(Long.MAX_VALUE)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--limit must be a whole number, got '" + o.get("limit") + "'");
            }
            Map<String, String> registry = new LinkedHashMap<>();
            Map<String, String> client = new LinkedHashMap<>();
            if (o.containsKey("config")) {
                readConfig(Path.of(o.get("config")), registry, client);
            }
            registry.compute(SchemaRegistrySettings.URL, (k, fromFile) -> o.getOrDefault("registry",
                    fromFile != null ? fromFile : "http://localhost:8081"));
            // As for the other client commands, the file may name the brokers; --bootstrap-servers wins.
            String fileBootstrap = client.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
            Map<String, Object> producer;
            try {
                producer = KafkaClientSettings.fromClientProperties(client).producer();
            } catch (ConfigException e) {
                throw new IllegalArgumentException("--config " + o.get("config") + ": " + e.getMessage());
            }
            return new Options(Path.of(o.get("file")), o.getOrDefault("topic", Topics.REVIEWS),
                    o.getOrDefault("bootstrap-servers", fileBootstrap != null ? fileBootstrap : "localhost:9092"),
                    registry.get(SchemaRegistrySettings.URL), o.getOrDefault("id-column", "id"),
                    o.getOrDefault("text-column", "text"), o.getOrDefault("label-column", "label"),
                    o.getOrDefault("rating-column", "rating"), o.getOrDefault("domain-column", "domain"),
                    o.get("domain"), dev.sentiflow.text.data.LabelMap.parse(o.getOrDefault("label-map", "")), limit, producer, registry);
        }

        /** Splits a client properties file into registry options and Kafka producer settings. */
        private static void readConfig(Path file, Map<String, String> registry, Map<String, String> client) {
            Properties props = new Properties();
            try (var in = Files.newBufferedReader(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage());
            }
            for (String key : props.stringPropertyNames()) {
                if (key.startsWith("schema.registry.")) {
                    if (!SchemaRegistrySettings.DEFINITION.names().contains(key)) {
                        throw new IllegalArgumentException("--config " + file + ": unknown option '" + key
                                + "'; registry options are " + new java.util.TreeSet<>(
                                SchemaRegistrySettings.DEFINITION.names()));
                    }
                    registry.put(key, props.getProperty(key));
                } else {
                    client.put(key, props.getProperty(key));
                }
            }
        }
    }

    private ReviewFileProducer() {
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            System.out.println(Options.USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("produce: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            long sent = produce(options);
            System.out.println("produce: sent " + sent + " reviews from " + options.file() + " to " + options.topic());
        } catch (Exception e) {
            System.err.println("produce: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Sends the file's rows and returns how many the broker acknowledged; fails on the first bad row. */
    public static long produce(Options options) throws IOException, InterruptedException {
        if (!Files.isReadable(options.file())) {
            throw new IOException("cannot read " + options.file());
        }
        String fileName = options.file().getFileName().toString();
        long total;
        // Every row checked before the first is sent: a bad row half-way would otherwise leave the rows
        // before it on the topic, and sending the fixed file again would send them twice.
        try (Stream<Row> rows = RowReaders.rows(options.file())) {
            long[] checked = {0};
            rows.limit(options.limit()).forEach(row -> {
                toReview(row, options, fileName);
                checked[0]++;
            });
            total = checked[0];
        }
        SchemaRegistryClient registry = SchemaRegistrySettings.client(options.registrySettings());
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20));
        config.putAll(options.producerSettings());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        ProgressBar progress = ProgressBar.console("produce", total);
        try (var producer = new KafkaProducer<String, Review>(config, new StringSerializer(),
                new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false));
             Stream<Row> rows = RowReaders.rows(options.file())) {
            Iterator<Row> it = rows.limit(options.limit()).iterator();
            long sent = 0;
            while (it.hasNext() && failure.get() == null) {
                Review review = toReview(it.next(), options, fileName);
                producer.send(new ProducerRecord<>(options.topic(), review.getId(), review), (meta, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        acked.incrementAndGet();
                    }
                });
                sent++;
                if (sent % 256 == 0) {
                    progress.update(acked.get(), "");
                }
            }
            producer.flush();
            progress.update(acked.get(), "done");
        }
        if (failure.get() != null) {
            throw new IOException("sending to " + options.topic() + " failed after " + acked.get() + " records: "
                    + failure.get().getMessage(), failure.get());
        }
        return acked.get();
    }

    static Review toReview(Row row, Options options, String fileName) {
        String id = row.has(options.idColumn()) ? row.require(options.idColumn()) : fileName + ":" + row.line();
        String label = row.has(options.labelColumn()) ? blankToNull(row.require(options.labelColumn())) : null;
        if (label != null) {
            label = options.labelMap().getOrDefault(label, label);
        }
        Integer rating = null;
        if (row.has(options.ratingColumn()) && blankToNull(row.require(options.ratingColumn())) != null) {
            String value = row.require(options.ratingColumn()).trim();
            rating = wholeStars(value).orElseThrow(() -> new IllegalArgumentException(row.source() + ":" + row.line()
                    + ": rating '" + value + "' in column " + options.ratingColumn() + " is not a whole number of stars "
                    + "(a half star would need a rule of its own: give the file a label column instead)"));
        }
        String domain = options.domain() != null ? options.domain()
                : row.has(options.domainColumn()) ? row.require(options.domainColumn()) : "default";
        return Review.newBuilder()
                .setId(id)
                .setText(row.require(options.textColumn()))
                .setRating(rating)
                .setLabel(label)
                .setDomain(domain)
                .setEventTime(Instant.now())
                .build();
    }

    /** "4" and "4.0" are 4; "4.5", "NaN", "1e12" and words are not a whole number of stars. */
    static java.util.Optional<Integer> wholeStars(String value) {
        try {
            double stars = Double.parseDouble(value);
            if (stars != Math.rint(stars) || Math.abs(stars) > 1_000_000) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of((int) stars);
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
