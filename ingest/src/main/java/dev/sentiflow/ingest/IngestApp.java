package dev.sentiflow.ingest;

import dev.sentiflow.model.tokenizer.TextTokenizer;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest service: {@code reviews} → {@code reviews.tokenized} | {@code reviews.dlq}, exactly once.
 *
 * <p>Run: {@code java -cp ... dev.sentiflow.ingest.IngestApp [ingest.properties] [key=value ...]}; see
 * README's configuration table for the keys. It logs one line per dead-lettered record and a
 * summary every 30 s; Ctrl-C stops it cleanly (the last transaction commits or aborts, nothing is lost).
 */
public final class IngestApp {

    private static final Logger LOG = LoggerFactory.getLogger(IngestApp.class);

    private IngestApp() {
    }

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            System.out.println("usage: ingest [FILE.properties] [key=value ...]   (or SENTIFLOW_KEY_NAME=value variables)\n");
            System.out.print(dev.sentiflow.schemas.config.ConfigMarkdown.table(IngestConfig.DEFINITION));
            return;
        }
        IngestConfig config;
        try {
            config = new IngestConfig(ConfigSources.fromArgs(args, System.getenv()));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("ingest: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        KafkaStreams streams = start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }, "ingest-shutdown"));
        stopped.await();
    }

    /** Builds and starts the app; the caller closes the returned streams. */
    public static KafkaStreams start(IngestConfig config) {
        ensureTopics(config);
        String tokenizerPath = config.getString(IngestConfig.TOKENIZER_JSON);
        int maxLength = config.getInt(IngestConfig.MAX_LENGTH);
        TextTokenizer tokenizer;
        try {
            tokenizer = tokenizerPath.isBlank() ? TextTokenizer.bundled(maxLength)
                    : TextTokenizer.fromFile(Path.of(tokenizerPath), maxLength);
        } catch (java.io.IOException e) {
            throw new ConfigException(IngestConfig.TOKENIZER_JSON, tokenizerPath, e.getMessage());
        }
        var registry = new SchemaRegistryClient(config.getString(IngestConfig.SCHEMA_REGISTRY_URL));
        var validator = new ReviewValidator(config.labelPolicy(), tokenizer, config.getInt(IngestConfig.TEXT_MAX_BYTES));
        var topology = IngestTopology.build(new IngestTopology.Params(
                config.getString(IngestConfig.REVIEWS_TOPIC), config.getString(IngestConfig.TOKENIZED_TOPIC),
                config.getString(IngestConfig.DLQ_TOPIC), registry, validator));
        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        // A registry outage fails the thread; replacing it resumes from the last commit, so nothing is lost.
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("ingest stream thread failed, replacing it: {}", e.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("ingest state {} -> {}", before, now));
        streams.start();
        LOG.info("ingest started: {} -> {} | {}, labels {}, tokenizer {} (max length {}), registry {}",
                config.getString(IngestConfig.REVIEWS_TOPIC), config.getString(IngestConfig.TOKENIZED_TOPIC),
                config.getString(IngestConfig.DLQ_TOPIC), config.getList(IngestConfig.LABELS), tokenizer.id(),
                maxLength, registry.baseUrl());
        return streams;
    }

    /** Creates missing topics with the broker's default partitions and replication. */
    private static void ensureTopics(IngestConfig config) {
        Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", config.getList(IngestConfig.BOOTSTRAP_SERVERS)));
        try (Admin client = Admin.create(admin)) {
            Set<String> existing = client.listTopics().names().get(30, TimeUnit.SECONDS);
            var missing = config.topics().stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).collect(Collectors.toList());
            if (!missing.isEmpty()) {
                client.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach Kafka at " + config.getList(IngestConfig.BOOTSTRAP_SERVERS)
                    + " to check topics " + config.topics() + ": " + e, e);
        }
    }
}
