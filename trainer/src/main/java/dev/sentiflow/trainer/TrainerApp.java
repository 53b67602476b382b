package dev.sentiflow.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.model.device.Devices;
import dev.sentiflow.model.train.TrainingConfig;
import dev.sentiflow.model.train.TrainingMode;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.config.ConfigMarkdown;
import dev.sentiflow.schemas.config.ConfigSources;
import dev.sentiflow.schemas.ops.OpsEndpoint;
import dev.sentiflow.schemas.ops.OpsSettings;
import dev.sentiflow.schemas.ops.ServiceMetrics;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.schemas.topic.TopicMessageLimit;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.text.tokenizer.TokenLimits;
import dev.sentiflow.trainer.catalog.ChampionFit;
import dev.sentiflow.trainer.catalog.ModelsCatalog;
import dev.sentiflow.trainer.config.TrainFrom;
import dev.sentiflow.trainer.config.TrainerConfig;
import dev.sentiflow.trainer.intake.ExampleIntake;
import dev.sentiflow.trainer.loop.RoundRunner;
import dev.sentiflow.trainer.metrics.TrainerHealth;
import dev.sentiflow.trainer.metrics.TrainerMetrics;
import dev.sentiflow.trainer.publish.ChunkLimit;
import dev.sentiflow.trainer.publish.RoundPublisher;
import dev.sentiflow.trainer.training.RoundTrainer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer service: labeled {@code reviews.tokenized} records in, gated checkpoints on {@code models}
 * and the loss curve, scores and gate decisions on {@code training.metrics} out.
 *
 * <p>Run: {@code ./pipeline trainer [trainer.properties] [key=value ...]} (or {@code SENTIFLOW_*}
 * variables); {@code --help} prints every option. It logs the device and thread counts at start, one
 * line per round start, one per round result with the gate's per-domain table, and a status line
 * every 30 s. SIGTERM stops it after the current poll or round; an uncommitted round is simply
 * trained again on the next start.
 */
public final class TrainerApp {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerApp.class);

    private TrainerApp() {
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println("usage: trainer [FILE.properties] [key=value ...]   (or SENTIFLOW_KEY_NAME=value variables)\n");
            System.out.print(ConfigMarkdown.table(TrainerConfig.DEFINITION));
            return;
        }
        TrainerConfig config;
        try {
            ConfigSources.Loaded loaded = ConfigSources.load(args, System.getenv());
            config = new TrainerConfig(loaded.values(), loaded.origins());
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("trainer: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            run(config);
        } catch (RuntimeException e) {
            // What retrying cannot fix, or a broker out of reach at start (a supervisor restarts us): one line;
            // anything else is a bug, and its stack trace goes to the log.
            if (!(e instanceof org.apache.kafka.common.KafkaException || e instanceof IllegalStateException)) {
                LOG.error("trainer failed", e);
            }
            System.err.println("trainer: " + dev.sentiflow.schemas.failure.FailureMessage.of(e) + " (brokers " + String.join(",",
                    config.getList(TrainerConfig.BOOTSTRAP_SERVERS)) + ")");
            System.exit(1);
        }
    }

    private static void run(TrainerConfig config) throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Devices.preferred());
             BaseModel base = BaseModels.load(manager, config.getString(TrainerConfig.BASE_MODEL));
             TextTokenizer tokenizer = base.openTokenizer(config.getInt(TrainerConfig.MAX_LENGTH));
             TrainerService service = build(config, manager, base, tokenizer)) {
            CountDownLatch done = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                service.stop();
                try {
                    if (!done.await(config.getLong(TrainerConfig.SHUTDOWN_TIMEOUT_MS), TimeUnit.MILLISECONDS)) {
                        LOG.warn("trainer did not stop within {} ms; exiting anyway (an uncommitted round is "
                                + "retrained on the next start)", config.getLong(TrainerConfig.SHUTDOWN_TIMEOUT_MS));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "trainer-shutdown"));
            try {
                service.run();
            } finally {
                done.countDown();
            }
        }
    }

    /**
     * Wires the service from its configuration; the caller runs and closes it. The metrics and probes
     * endpoint ({@code metrics.port}) answers from here on: not ready while the catalog is read.
     */
    public static TrainerService build(TrainerConfig config, NDManager manager, BaseModel base, TextTokenizer tokenizer) {
        ServiceMetrics metrics = new ServiceMetrics("trainer");
        TrainerHealth health = new TrainerHealth(Clock.systemUTC());
        OpsEndpoint endpoint = OpsEndpoint.start("trainer", OpsSettings.of(config), metrics, health.live(),
                health.ready());
        try {
            return build(config, manager, base, tokenizer, metrics, health, endpoint);
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    private static TrainerService build(TrainerConfig config, NDManager manager, BaseModel base,
            TextTokenizer tokenizer, ServiceMetrics metrics, TrainerHealth health, AutoCloseable ops) {
        List<String> labels = config.getList(TrainerConfig.LABELS);
        TrainingMode mode = config.trainingMode();
        TrainingConfig training = TrainingConfig.defaults(mode)
                .withLearningRate(config.getDouble(TrainerConfig.LEARNING_RATE))
                .withEpochs(config.getInt(TrainerConfig.EPOCHS))
                .withBatchSize(config.getInt(TrainerConfig.BATCH_SIZE))
                .withMaxLength(config.getInt(TrainerConfig.MAX_LENGTH))
                .withSeed(config.getLong(TrainerConfig.SEED));
        Optional<LoraConfig> lora = config.loraConfig();
        var setup = new RoundTrainer.Setup(base, tokenizer, labels, training, lora,
                config.getInt(TrainerConfig.MLM_EPOCHS), config.getBoolean(TrainerConfig.BALANCE_CLASSES));
        String device = Devices.preferred() + " (" + Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + "intra-op threads " + System.getProperty("ai.djl.pytorch.num_threads", "default") + ")";
        LOG.info("trainer: models run on {}; base {} ({}), {} training, labels {}", device, base.id(),
                base.baseHash().substring(0, 12), mode, labels);

        SchemaRegistryClient registry = config.registry();
        String servers = String.join(",", config.getList(TrainerConfig.BOOTSTRAP_SERVERS));
        Map<String, Object> consumers = new HashMap<>(config.clients().consumer());
        consumers.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        consumers.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");

        checkChunksFit(config, servers);
        // Decisions first, so the champion is chosen knowing them; the live follower goes on from where this read ended.
        ModelsCatalog catalog = new ModelsCatalog(config.signer());
        var liveReader = new KafkaConsumer<>(consumers, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        RecordDecoder<LiveMetrics> liveMetrics = new RecordDecoder<>(registry, LiveMetrics.getClassSchema());
        try {
            catalog.readDecisions(liveReader, config.getString(TrainerConfig.LIVE_METRICS_TOPIC), liveMetrics,
                    Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            liveReader.close();
            throw e;
        }
        try (var modelsReader = new KafkaConsumer<>(consumers, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            catalog.readModels(modelsReader, config.getString(TrainerConfig.MODELS_TOPIC),
                    new RecordDecoder<>(registry, ModelCheckpoint.getClassSchema()),
                    new CheckpointAssembler(config.getLong(TrainerConfig.CHECKPOINT_MAX_PENDING_BYTES), config.signer()),
                    Duration.ofSeconds(60));
            if (config.getBoolean(TrainerConfig.MODEL_PER_DOMAIN)) {
                // Which models are ours is known only as domains arrive: a misfit is said, not fatal.
                try {
                    ChampionFit.check(catalog, model -> true, setup.identity(), config.getString(TrainerConfig.MODELS_TOPIC));
                } catch (IllegalStateException misfit) {
                    LOG.warn("{}; a round of such a model fails when it scores the champion", misfit.getMessage());
                }
            } else {
                ChampionFit.check(catalog, model -> model.equals(config.getString(TrainerConfig.MODEL_NAME)),
                        setup.identity(), config.getString(TrainerConfig.MODELS_TOPIC));
            }
        } catch (RuntimeException e) {
            liveReader.close();
            throw e;
        }
        health.catalogRead();

        Map<String, Object> input = new HashMap<>(consumers);
        input.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(TrainerConfig.GROUP_ID));
        input.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        input.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Object> producer = new HashMap<>(config.clients().producer());
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.getString(TrainerConfig.GROUP_ID) + "-publisher");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        int chunkBytes = config.getInt(TrainerConfig.CHECKPOINT_CHUNK_BYTES);
        producer.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, ChunkLimit.recordBytes(chunkBytes)));

        var limits = new TokenLimits(base.config().vocabSize(), config.getInt(TrainerConfig.MAX_LENGTH));
        int roundSize = config.getInt(TrainerConfig.ROUND_SIZE);
        var caps = new ExampleIntake.Capacities(2 * roundSize, config.getInt(TrainerConfig.REPLAY_CAPACITY),
                config.getInt(TrainerConfig.EVAL_CAPACITY_PER_DOMAIN), config.getInt(TrainerConfig.EVAL_MAX_DOMAINS),
                Math.max(1, config.getInt(TrainerConfig.UNLABELED_CAPACITY)));
        var rounds = new RoundRunner(catalog, new RoundTrainer(setup, manager, config.roundTimeBudget()), config.chunker(), config.gate(),
                config.trainFrom() == TrainFrom.CHAMPION, config.publishAs(), config.getLong(TrainerConfig.SEED), device,
                Clock.systemUTC());
        var publisher = new RoundPublisher(
                () -> new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer()),
                new AvroSerializer<>(registry, ModelCheckpoint.getClassSchema(), true, false),
                new AvroSerializer<>(registry, TrainingMetrics.getClassSchema(), true, false),
                config.getString(TrainerConfig.MODELS_TOPIC), config.getString(TrainerConfig.TRAINING_METRICS_TOPIC));
        var inputConsumer = new KafkaConsumer<>(input, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        metrics.bind(new KafkaClientMetrics(inputConsumer));
        var parts = new TrainerService.Parts(
                inputConsumer,
                config.getString(TrainerConfig.TOKENIZED_TOPIC),
                new RecordDecoder<>(registry, TokenizedReview.getClassSchema()),
                Optional.of(liveReader),
                config.getString(TrainerConfig.LIVE_METRICS_TOPIC),
                liveMetrics,
                catalog,
                rounds,
                publisher,
                config.triggerPolicy(),
                config::modelFor,
                name -> new ExampleIntake(name, labels, tokenizer.id(), limits, config.evalSplit(), caps),
                Clock.systemUTC(), new TrainerMetrics(metrics.registry(), Clock.systemUTC()), health, ops);
        return new TrainerService(parts);
    }

    /**
     * Stops the trainer at start when a checkpoint chunk would not fit the models topic: otherwise the
     * first round would train and then fail to publish, again after every restart. A topic that does
     * not exist yet, or whose configs this principal may not read, is not checked (said in the log).
     */
    private static void checkChunksFit(TrainerConfig config, String servers) {
        int chunkBytes = config.getInt(TrainerConfig.CHECKPOINT_CHUNK_BYTES);
        Object maxRequest = config.clients().producer().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (maxRequest != null) {
            ChunkLimit.problem(chunkBytes, "kafka.producer.max.request.size", Integer.parseInt(maxRequest.toString()))
                    .ifPresent(p -> {
                        throw new IllegalStateException(p);
                    });
        }
        String topic = config.getString(TrainerConfig.MODELS_TOPIC);
        Map<String, Object> admin = new HashMap<>(config.clients().admin());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        OptionalInt limit;
        Admin client = Admin.create(admin);
        try {
            limit = TopicMessageLimit.maxMessageBytes(client, topic, Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + topic + "'s max.message.bytes", e);
        } catch (Exception e) {
            // A check, not a need: a slow cluster or a broker that does not answer this request starts anyway.
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            LOG.warn("cannot read {}'s max.message.bytes ({}); checkpoint.chunk.bytes={} is not checked against it",
                    topic, cause.toString(), chunkBytes);
            limit = OptionalInt.empty();
        } finally {
            client.close(Duration.ofSeconds(5));
        }
        if (limit.isEmpty()) {
            LOG.info("{}'s max.message.bytes not known (no such topic yet, not authorized to read it, or no answer); "
                    + "checkpoint.chunk.bytes={} is not checked against it", topic, chunkBytes);
            return;
        }
        ChunkLimit.problem(chunkBytes, "topic " + topic + "'s max.message.bytes",
                limit.getAsInt()).ifPresent(p -> {
                    throw new IllegalStateException(p);
                });
    }
}
