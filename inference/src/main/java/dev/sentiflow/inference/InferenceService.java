package dev.sentiflow.inference;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.inference.metrics.InferenceHealth;
import dev.sentiflow.inference.metrics.InferenceMetrics;
import dev.sentiflow.inference.models.CheckpointIntake;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.inference.models.ModelsFollower;
import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.scoring.BatchScorer;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.failure.StreamFailureHandler;
import dev.sentiflow.schemas.ops.OpsEndpoint;
import dev.sentiflow.schemas.ops.OpsSettings;
import dev.sentiflow.schemas.ops.ServiceMetrics;
import dev.sentiflow.schemas.ops.StreamsShutdown;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.schemas.topic.MissingTopics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running inference app: one shared serving block (the base encoder, loaded once), the model
 * registry fed by the models follower, and the Streams app that scores. Start order matters: the
 * follower reads the models topic up to where it stood at start, so the newest valid version of each
 * model is loaded before the first batch; only then does Streams start.
 */
public final class InferenceService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceService.class);
    /** Rows per ONNX Runtime run: with the batch bound this keeps one run's memory and time small. */
    static final int MAX_ROWS_PER_FORWARD = 32;
    private static final Duration PROGRESS = Duration.ofSeconds(30);

    private final ServingBlock serving;
    private final ModelRegistry registry;
    private final CheckpointIntake intake;
    private final ModelsFollower follower;
    private final KafkaStreams streams;
    private final Duration shutdownTimeout;
    /** The metrics and probes endpoint, open from the start (so readiness says what it waits for) to the close. */
    private final OpsEndpoint ops;

    private InferenceService(ServingBlock serving, ModelRegistry registry, CheckpointIntake intake,
            ModelsFollower follower, KafkaStreams streams, Duration shutdownTimeout, OpsEndpoint ops) {
        this.serving = serving;
        this.registry = registry;
        this.intake = intake;
        this.follower = follower;
        this.streams = streams;
        this.shutdownTimeout = shutdownTimeout;
        this.ops = ops;
    }

    /** Loads the base, catches up on the models topic, then starts scoring; blocks until then. */
    public static InferenceService start(InferenceConfig config) throws InterruptedException {
        int dlqMaxMessageBytes = ensureTopics(config);
        String defaultModel = config.getString(InferenceConfig.DEFAULT_MODEL);
        ModelRegistry registry = new ModelRegistry();
        InferenceHealth health = new InferenceHealth(registry, defaultModel, config.withoutModel());
        ServiceMetrics metrics = new ServiceMetrics("inference");
        OpsEndpoint ops = OpsEndpoint.start("inference", OpsSettings.of(config), metrics, health.live(),
                health.ready());
        List<AutoCloseable> opened = new ArrayList<>(List.of(registry, ops));
        try {
            ServingBlock serving = ServingBlock.load(config);
            opened.add(serving);
            List<String> labels = config.labels();
            ModelIdentity identity = serving.identity();
            int vocabSize = serving.vocabSize();
            int maxLength = serving.maxLength();
            ServedVersions versions = serving.versions();
            if (config.withoutModel() == InferenceConfig.WithoutModel.BASE_HEAD) {
                registry.offer(versions.baseHead(defaultModel));
            }
            SchemaRegistryClient schemas = config.registry();
            CheckpointIntake intake = intake(config, versions, registry);
            ModelsFollower follower = follower(config, intake, schemas);
            opened.add(0, follower);
            InferenceMetrics counted = InferenceMetrics.on(metrics, registry, intake);
            health.following(follower.failed());
            follower.start();
            while (!follower.awaitCaughtUp(PROGRESS)) {
                if (follower.failed().isDone()) {
                    throw new IllegalStateException(follower.failed().join());
                }
                LOG.info("still reading {} up to where it stood at start", config.getString(InferenceConfig.MODELS_TOPIC));
            }
            if (registry.version(defaultModel).isEmpty()) {
                LOG.warn("no version of model '{}' on {} yet; waiting for one before scoring (serve.without.model=wait)",
                        defaultModel, config.getString(InferenceConfig.MODELS_TOPIC));
                while (!registry.awaitServed(defaultModel, PROGRESS)) {
                    if (follower.failed().isDone()) {
                        throw new IllegalStateException(follower.failed().join());
                    }
                    LOG.info("still waiting for a version of model '{}'", defaultModel);
                }
            }
            var batchPolicy = config.batchPolicy();
            OnnxScorer scorer = serving.scorer(Math.min(batchPolicy.maxRecords(), MAX_ROWS_PER_FORWARD));
            BatchScorer batchScorer = new BatchScorer(registry, scorer, defaultModel, Clock.systemUTC(),
                    config.rolloutPolicy());
            var topology = InferenceTopology.build(new InferenceTopology.Params(
                    config.getString(InferenceConfig.TOKENIZED_TOPIC), config.getString(InferenceConfig.PREDICTIONS_TOPIC),
                    config.getString(InferenceConfig.DLQ_TOPIC), schemas, batchScorer, batchPolicy, vocabSize, maxLength,
                    new InferenceTopology.Live(config.getString(InferenceConfig.LIVE_METRICS_TOPIC), config.labels(),
                            config.getInt(InferenceConfig.LIVE_WINDOW_RECORDS),
                            java.time.Duration.ofMillis(config.getLong(InferenceConfig.LIVE_INTERVAL_MS)),
                            config.checkpointVerifier()),
                    DeadLetterSizing.forLimits(config.producerMaxRequestSize(), dlqMaxMessageBytes), counted));
            KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
            metrics.bind(new KafkaStreamsMetrics(streams));
            // A registry outage fails the thread: a new one after a back-off resumes from the last commit, nothing
            // is lost. Anything else would fail again on the same record: the app stops, saying why.
            StreamFailureHandler.install(streams, "inference", (now, before) -> { });
            streams.start();
            health.scoring(streams);
            LOG.info("inference started: {} -> {} | {}; serving {} on base {} (labels {}, tokenizer {}, max length {}); "
                    + "batches of up to {} records or {} ms, {} stream thread(s), {} run(s) of a batch at once",
                    config.getString(InferenceConfig.TOKENIZED_TOPIC), config.getString(InferenceConfig.PREDICTIONS_TOPIC),
                    config.getString(InferenceConfig.DLQ_TOPIC), registry.versions(),
                    config.getString(InferenceConfig.BASE_MODEL), labels, identity.tokenizerId(), maxLength,
                    batchPolicy.maxRecords(), batchPolicy.maxWait().toMillis(),
                    config.getInt(InferenceConfig.STREAM_THREADS), serving.parallel().width());
            return new InferenceService(serving, registry, intake, follower, streams,
                    Duration.ofMillis(config.getLong(InferenceConfig.SHUTDOWN_TIMEOUT_MS)), ops);
        } catch (RuntimeException | InterruptedException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** What turns models-topic records and committed rollout decisions into served versions. */
    static CheckpointIntake intake(InferenceConfig config, ServedVersions versions, ModelRegistry registry) {
        return new CheckpointIntake(new CheckpointAssembler(config.getLong(InferenceConfig.CHECKPOINT_MAX_PENDING_BYTES),
                config.checkpointVerifier()), versions, registry);
    }

    static ModelsFollower follower(InferenceConfig config, CheckpointIntake intake, SchemaRegistryClient schemas) {
        return new ModelsFollower(config.consumerSettings(), config.getString(InferenceConfig.MODELS_TOPIC),
                new RecordDecoder<>(schemas, ModelCheckpoint.getClassSchema()), intake,
                Optional.of(new ModelsFollower.Decisions(config.getString(InferenceConfig.LIVE_METRICS_TOPIC),
                        new RecordDecoder<>(schemas, LiveMetrics.getClassSchema()))));
    }

    /**
     * Completes with a one-line reason when the service can no longer do its job and must stop:
     * its models follower stopped on something retrying cannot fix.
     */
    public java.util.concurrent.CompletableFuture<String> failed() {
        return follower.failed();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public ModelRegistry registry() {
        return registry;
    }

    public CheckpointIntake intake() {
        return intake;
    }

    /**
     * Stops scoring (the last transaction commits or aborts), then the follower, then frees the model; a
     * stream thread still running after {@code shutdown.timeout.ms} may be in a batch, so then the model
     * stays loaded until the JVM exits.
     */
    @Override
    public void close() {
        boolean stopped = StreamsShutdown.close(streams, shutdownTimeout, "inference", LOG);
        follower.close();
        if (!stopped) {
            ops.close();
            return;
        }
        LOG.info("inference stopped; was serving {}; checkpoints swapped in {}, refused {}", registry.versions(),
                intake.swaps(), intake.refusals());
        registry.close();
        serving.close();
        ops.close();
    }

    /** The port of the metrics and probes endpoint; 0 when {@code metrics.port} is 0. */
    public int opsPort() {
        return ops.port();
    }

    /**
     * Creates missing topics with the broker's defaults; the models topic compacted, as the trainer
     * expects. Returns the DLQ topic's {@code max.message.bytes}, which every dead letter must fit.
     */
    private static int ensureTopics(InferenceConfig config) {
        try (Admin client = Admin.create(config.adminSettings())) {
            String models = config.getString(InferenceConfig.MODELS_TOPIC);
            List<NewTopic> wanted = config.topics().stream()
                    .map(t -> {
                        NewTopic topic = new NewTopic(t, Optional.empty(), Optional.empty());
                        return t.equals(models)
                                ? topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))
                                : topic;
                    }).toList();
            List<String> created = MissingTopics.create(client, wanted, Duration.ofSeconds(30));
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
            }
            return DeadLetterSizing.maxMessageBytes(client, config.getString(InferenceConfig.DLQ_TOPIC),
                    Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach Kafka at " + config.getList(InferenceConfig.BOOTSTRAP_SERVERS)
                    + " to check topics " + config.topics() + ": " + e, e);
        }
    }
}
