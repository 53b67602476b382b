package dev.sentiflow.ingest;

import dev.sentiflow.ingest.metrics.IngestMetrics;
import dev.sentiflow.schemas.config.ConfigSources;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.failure.StreamFailureHandler;
import dev.sentiflow.schemas.ops.OpsEndpoint;
import dev.sentiflow.schemas.ops.OpsSettings;
import dev.sentiflow.schemas.ops.ServiceMetrics;
import dev.sentiflow.schemas.ops.StreamsProbes;
import dev.sentiflow.schemas.ops.StreamsShutdown;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.topic.MissingTopics;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest service: {@code reviews} → {@code reviews.tokenized} | {@code reviews.dlq}, exactly once.
 *
 * <p>Run: {@code java -cp ... dev.sentiflow.ingest.IngestApp [ingest.properties] [key=value ...]}; see
 * README's configuration table for the keys. It logs one line per dead-lettered record and a
 * summary every 30 s. SIGTERM (Ctrl-C) closes it within {@code shutdown.timeout.ms}: the last
 * transaction commits or aborts, nothing is lost. It exits with status 1 when a stream thread fails
 * on a problem retrying cannot fix, 2 on bad configuration.
 */
public final class IngestApp {

    private static final Logger LOG = LoggerFactory.getLogger(IngestApp.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** The broker's default message.max.bytes, which a topic inherits unless it sets its own. */

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
            ConfigSources.Loaded loaded = ConfigSources.load(args, System.getenv());
            config = new IngestConfig(loaded.values(), loaded.origins());
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("ingest: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch failed = new CountDownLatch(1);
        KafkaStreams streams;
        try {
            streams = start(config, (now, before) -> {
                if (now == KafkaStreams.State.ERROR) {
                    failed.countDown();
                }
            });
        } catch (ConfigException | IllegalArgumentException e) {
            // Found at start: the tokenizer file, the DLQ topic's message limit.
            System.err.println("ingest: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IllegalStateException e) {
            System.err.println("ingest: " + e.getMessage()); // Kafka out of reach at start: a supervisor restarts us
            System.exit(1);
            return;
        }
        Duration timeout = config.shutdownTimeout();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(streams, timeout), "ingest-shutdown"));
        failed.await();
        System.exit(1); // the handler logged why; the hook closes what is left
    }

    /** Builds and starts the app; the caller closes the returned streams. */
    public static KafkaStreams start(IngestConfig config) {
        return start(config, (now, before) -> { });
    }

    /** Like {@link #start(IngestConfig)}, telling {@code listener} about state changes too. */
    public static KafkaStreams start(IngestConfig config, KafkaStreams.StateListener listener) {
        int dlqMaxMessageBytes = prepareTopics(config);
        String tokenizerPath = config.getString(IngestConfig.TOKENIZER_JSON);
        int maxLength = config.getInt(IngestConfig.MAX_LENGTH);
        TextTokenizer tokenizer;
        try {
            tokenizer = tokenizerPath.isBlank() ? TextTokenizer.bundled(maxLength)
                    : TextTokenizer.fromFile(Path.of(tokenizerPath), maxLength);
        } catch (java.io.IOException e) {
            throw new ConfigException(IngestConfig.TOKENIZER_JSON, tokenizerPath, e.getMessage());
        }
        SchemaRegistryClient registry = config.registryClient();
        var validator = new ReviewValidator(config.labelPolicy(), tokenizer, config.getInt(IngestConfig.TEXT_MAX_BYTES));
        var sizing = DeadLetterSizing.forLimits(config.producerMaxRequestSize(), dlqMaxMessageBytes);
        ServiceMetrics metrics = new ServiceMetrics("ingest");
        var topology = IngestTopology.build(new IngestTopology.Params(
                config.getString(IngestConfig.REVIEWS_TOPIC), config.getString(IngestConfig.TOKENIZED_TOPIC),
                config.getString(IngestConfig.DLQ_TOPIC), registry, validator, sizing,
                new IngestMetrics(metrics.registry())));
        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        metrics.bind(new KafkaStreamsMetrics(streams));
        OpsEndpoint ops = OpsEndpoint.start("ingest", OpsSettings.of(config), metrics,
                () -> StreamsProbes.live(streams), () -> StreamsProbes.ready(streams));
        // A registry outage fails a thread: a new one after a back-off resumes from the last commit; anything
        // else would fail again on the same record, so the app stops, saying why. The endpoint lives as long
        // as the streams: closing them closes it.
        StreamFailureHandler.install(streams, "ingest", (now, before) -> {
            listener.onChange(now, before);
            if (now == KafkaStreams.State.NOT_RUNNING) {
                ops.close();
            }
        });
        streams.start();
        LOG.info("ingest started: {} -> {} | {}, labels {}, tokenizer {} (max length {}), registry {}, dead letters "
                        + "carry at most {} original bytes", config.getString(IngestConfig.REVIEWS_TOPIC),
                config.getString(IngestConfig.TOKENIZED_TOPIC), config.getString(IngestConfig.DLQ_TOPIC),
                config.getList(IngestConfig.LABELS), tokenizer.id(), maxLength, registry.baseUrl(),
                sizing.maxCarried());
        return streams;
    }

    /** Closes within {@code timeout} (see {@link StreamsShutdown}). */
    static boolean close(KafkaStreams streams, Duration timeout) {
        long begin = System.nanoTime();
        boolean closed = StreamsShutdown.close(streams, timeout, "ingest", LOG);
        if (closed) {
            LOG.info("ingest stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
        }
        return closed;
    }

    /**
     * Creates missing topics with the broker's default partitions and replication, and returns the
     * DLQ topic's {@code max.message.bytes}, which bounds how big a dead letter may be. The admin
     * client gets the same {@code kafka.*} settings (security) as Streams.
     */
    private static int prepareTopics(IngestConfig config) {
        try (Admin client = Admin.create(config.adminProperties())) {
            List<String> created = MissingTopics.create(client, config.topics().stream()
                    .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList(), ADMIN_TIMEOUT);
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
            }
            return DeadLetterSizing.maxMessageBytes(client, config.getString(IngestConfig.DLQ_TOPIC), ADMIN_TIMEOUT);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot check topics " + config.topics() + " on Kafka at "
                    + config.getList(IngestConfig.BOOTSTRAP_SERVERS) + ": " + cause, cause);
        }
    }
}
