package dev.sentiflow.inference;

import dev.sentiflow.inference.batch.BatchPolicy;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import dev.sentiflow.schemas.config.KafkaClientSettings;
import dev.sentiflow.schemas.config.SchemaRegistrySettings;
import dev.sentiflow.schemas.config.SharedOptions;
import dev.sentiflow.schemas.config.UnknownOptions;
import dev.sentiflow.schemas.ops.OpsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every option of the inference app, declared once. README's configuration table is generated from
 * {@link #DEFINITION}; options whose names start with {@code kafka.} go, without the prefix, to Kafka
 * Streams and to the consumer that follows the models topic (security, timeouts).
 */
public final class InferenceConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = SchemaRegistrySettings.URL;
    public static final String APPLICATION_ID = "application.id";
    public static final String TOKENIZED_TOPIC = "topic.tokenized";
    public static final String PREDICTIONS_TOPIC = "topic.predictions";
    public static final String MODELS_TOPIC = "topic.models";
    public static final String DLQ_TOPIC = "topic.dlq";
    public static final String LIVE_METRICS_TOPIC = SharedOptions.TOPIC_METRICS_LIVE;
    public static final String LIVE_WINDOW_RECORDS = "live.window.records";
    public static final String LIVE_INTERVAL_MS = "live.interval.ms";
    public static final String BASE_MODEL = "base.model";
    public static final String LORA_R = SharedOptions.LORA_R;
    public static final String LORA_ALPHA = SharedOptions.LORA_ALPHA;
    public static final String LORA_TARGETS = SharedOptions.LORA_TARGETS;
    public static final String LORA_MODULES_TO_SAVE = SharedOptions.LORA_MODULES_TO_SAVE;
    public static final String LABELS = "labels";
    public static final String MAX_LENGTH = "max.length";
    public static final String BATCH_MAX_RECORDS = "batch.max.records";
    public static final String BATCH_MAX_WAIT_MS = "batch.max.wait.ms";
    public static final String BATCH_MAX_TOKENS = "batch.max.tokens";
    public static final String BATCH_MAX_MS = "batch.max.ms";
    public static final String BATCH_COMMIT = "batch.commit";
    public static final String BATCH_ACROSS_PARTITIONS = "batch.across.partitions";
    public static final String DEFAULT_MODEL = "model.default.name";
    public static final String SERVE_WITHOUT_MODEL = "serve.without.model";
    public static final String SIGNING_KEY = "checkpoint.signing.key";
    public static final String PROMOTION_MIN_LABELED = "promotion.min.labeled";
    public static final String PROMOTION_TOLERANCE = "promotion.tolerance";
    public static final String ROLLBACK_MIN_LABELED = "rollback.min.labeled";
    public static final String ROLLBACK_MARGIN = "rollback.margin";
    public static final String CHECKPOINT_MAX_PENDING_BYTES = SharedOptions.CHECKPOINT_MAX_PENDING_BYTES;
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String INTRA_OP_THREADS = "scoring.intra.op.threads";
    public static final String PARALLEL_RUNS = "scoring.parallel.runs";
    public static final String SPIN_WAIT = "scoring.spin.wait";
    public static final String SERVE_PRECISION = "serve.precision";
    public static final String STANDBY_REPLICAS = "num.standby.replicas";
    public static final String STATE_DIR = "state.dir";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String KAFKA_PREFIX = KafkaClientSettings.PREFIX;

    /** Largest batch: at CPU speed (~30 MiniLM rows/s on 2 cores at 128 tokens) still far below the 10 s transaction timeout. */
    static final int MAX_BATCH = 128;

    /** What to do while no version of the default model exists. */
    public enum WithoutModel {
        /** Score nothing until a checkpoint of the default model is served. */
        WAIT,
        /** Score with the base encoder and the block's untrained head, named version 0. */
        BASE_HEAD;

        static WithoutModel parse(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    private static final SharedOptions.Lora LORA_DEFAULTS = new SharedOptions.Lora(LoraConfig.defaults().r(),
            LoraConfig.defaults().alpha(), LoraConfig.defaults().targets(), LoraConfig.defaults().modulesToSave());

    public static final ConfigDef DEFINITION = SharedOptions.defineLora(SchemaRegistrySettings.define(OpsSettings.define(new ConfigDef()))
            .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", Importance.HIGH,
                    "Kafka brokers to connect to (host:port, comma-separated).")
            .define(APPLICATION_ID, Type.STRING, "sentiflow-inference", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Kafka Streams application id: consumer group, transactional id and internal "
                            + "topic prefix (the pending-batch changelog).")
            .define(TOKENIZED_TOPIC, Type.STRING, Topics.REVIEWS_TOKENIZED, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Input topic of TokenizedReview records.")
            .define(PREDICTIONS_TOPIC, Type.STRING, Topics.PREDICTIONS, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Output topic of Prediction records, keyed by review id.")
            .define(MODELS_TOPIC, Type.STRING, Topics.MODELS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic of chunked ModelCheckpoint records, followed from the beginning (read_committed).")
            .define(DLQ_TOPIC, Type.STRING, Topics.PREDICTIONS_DLQ, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Dead-letter topic: inputs that cannot be scored (undecodable, other tokenizer, token ids out of "
                            + "range) as DeadLetter records with the reason and original bytes.")
            .define(LIVE_METRICS_TOPIC, Type.STRING, Topics.LIVE_METRICS, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic for LiveMetrics: live accuracy and macro-F1 per model version and domain "
                            + "over labeled predictions (the trainer's drift trigger reads it).")
            .define(LIVE_WINDOW_RECORDS, Type.INT, 500, Range.between(1, 1_000_000), Importance.LOW,
                    "Labeled predictions per version (and input partition) that live accuracy is computed over.")
            .define(LIVE_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW,
                    "How often live metrics are published for the versions that scored labeled records meanwhile.")
            .define(BASE_MODEL, Type.STRING, BaseWeights.DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The shared base encoder, loaded once: minilm, bert-base, distilbert-init or a Hugging Face "
                            + "directory. Checkpoints trained on another base are refused.")
            .define(LABELS, Type.LIST, "negative,positive", Importance.HIGH,
                    "Class names in logit order; checkpoints with other labels or another order are refused.")
            .define(MAX_LENGTH, Type.INT, 128, Range.between(2, 8192), Importance.MEDIUM,
                    "Token limit the served models were trained with ([CLS] and [SEP] included); longer inputs go to "
                            + "the DLQ.")
            .define(BATCH_MAX_RECORDS, Type.INT, 32, Range.between(1, MAX_BATCH), Importance.MEDIUM,
                    "Most records per micro-batch. Bounded so one batch's model time stays far "
                            + "below the 10 s transaction timeout.")
            .define(BATCH_MAX_WAIT_MS, Type.LONG, 50L, Range.between(1, 60_000), Importance.MEDIUM,
                    "Longest a record waits for its batch to fill (wall clock), so quiet partitions are scored too.")
            .define(BATCH_MAX_TOKENS, Type.LONG, BatchPolicy.DEFAULT_MAX_TOKENS, Range.between(2, 1_048_576),
                    Importance.MEDIUM, "Most padded tokens per micro-batch (rows x the longest row): long inputs make "
                            + "smaller batches. At least max.length, so one record of the longest kind fits.")
            .define(BATCH_MAX_MS, Type.LONG, BatchPolicy.DEFAULT_MAX_TIME.toMillis(), Range.between(10, 60_000),
                    Importance.MEDIUM, "Model time one batch may take, challenger shadow scoring included: batches are "
                            + "cut to what the measured cost per token fits in it. At most a quarter of the "
                            + "transaction timeout (kafka.producer.transaction.timeout.ms, 10 s under exactly-once), "
                            + "so a batch never outlives its transaction.")
            .define(BATCH_COMMIT, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Commit as soon as a batch cut by batch.max.wait.ms is scored (a quiet partition), so its "
                            + "predictions reach read_committed readers without waiting for the commit interval "
                            + "(kafka.commit.interval.ms, 100 ms under exactly-once); full batches (a backlog) commit "
                            + "at the interval. false leaves every commit to the interval.")
            .define(BATCH_ACROSS_PARTITIONS, Type.BOOLEAN, true, Importance.LOW,
                    "One micro-batch takes the pending records of every input partition its stream thread owns, "
                            + "oldest first, so more partitions than threads do not split batches into small ones "
                            + "scored one after the other; the pending store then writes its changelog uncached (a record's bytes, "
                            + "then a tombstone). false batches each partition on its own, with a cached store (a "
                            + "tombstone per record).")
            .define(DEFAULT_MODEL, Type.STRING, "default", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Model that scores reviews whose domain has no model of its own.")
            .define(SERVE_WITHOUT_MODEL, Type.STRING, "wait", ConfigDef.ValidString.in("wait", "base-head"),
                    Importance.MEDIUM, "Before any checkpoint of the default model exists: wait (start scoring only "
                            + "once one is served) or base-head (score with the base and an untrained head, "
                            + "predictions say version 0).")
            .define(SIGNING_KEY, Type.PASSWORD, "", Importance.HIGH,
                    "Shared HMAC secret of the trainer; when set, unsigned or wrongly signed checkpoints are refused, "
                            + "and rollout decisions are written signed and count only signed. Empty = signatures not "
                            + "checked.")
            .define(PROMOTION_MIN_LABELED, Type.INT, dev.sentiflow.inference.rollout.RolloutPolicy.DEFAULTS.promotionMinLabeled(), Range.atLeast(1),
                    Importance.MEDIUM, "Labeled records a challenger (a checkpoint published with publish.as="
                            + "challenger) is scored on beside the champion before it is promoted or rejected.")
            .define(PROMOTION_TOLERANCE, Type.DOUBLE, dev.sentiflow.inference.rollout.RolloutPolicy.DEFAULTS.promotionTolerance(), Range.between(0, 1),
                    Importance.MEDIUM, "How much lower than the champion's a challenger's live accuracy on the same "
                            + "records may be and still be promoted (0 = not worse).")
            .define(ROLLBACK_MIN_LABELED, Type.INT, dev.sentiflow.inference.rollout.RolloutPolicy.DEFAULTS.rollbackMinLabeled(), Range.atLeast(1), Importance.MEDIUM,
                    "Labeled records a promoted version is watched on beside its predecessor before the predecessor "
                            + "is freed.")
            .define(ROLLBACK_MARGIN, Type.DOUBLE, dev.sentiflow.inference.rollout.RolloutPolicy.DEFAULTS.rollbackMargin(), Range.between(0, 1), Importance.MEDIUM,
                    "A promoted version whose live accuracy falls more than this below its predecessor's on the same "
                            + "records is rolled back to the predecessor.")
            .define(CHECKPOINT_MAX_PENDING_BYTES, Type.LONG, SharedOptions.DEFAULT_MAX_PENDING_BYTES, Range.atLeast(1), Importance.LOW,
                    "Most checkpoint bytes held while chunks are still arriving (heap); at least the largest checkpoint.")
            .define(STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
                    "Kafka Streams threads in this instance; they share one copy of the base model. More threads "
                            + "than input partitions stay idle.")
            .define(SERVE_PRECISION, Type.STRING, "fp32", ConfigDef.ValidString.in("fp32", "int8"),
                    Importance.MEDIUM, "Precision of the base's linear weights when scoring: fp32, or int8 quantized "
                            + "per output channel when the session is built (faster on CPUs with int8 dot products; "
                            + "embeddings, LayerNorm, adapters and head stay fp32).")
            .define(PARALLEL_RUNS, Type.INT, 0, Range.between(0, 64), Importance.MEDIUM,
                    "Runs of one batch scored at once, each on a thread of its own (rows of similar length are "
                            + "dealt out among that many runs, at least 4 rows each; groups of other lengths run at once "
                            + "too); 0 = automatic: the available cores divided among the stream threads (and their "
                            + "configured intra-op threads), at most 2. On 2 cores two one-thread runs beat one run on "
                            + "both cores (./bench inference); more than 2 has not been measured.")
            .define(INTRA_OP_THREADS, Type.INT, 0, Range.between(0, 1024), Importance.MEDIUM,
                    "Threads ONNX Runtime uses for one run; 0 = automatic: the available cores divided among the "
                            + "stream threads' parallel runs (at least 1 each), or ONNX Runtime's default (one per "
                            + "physical core) where there is one stream thread and one run at a time.")
            .define(SPIN_WAIT, Type.BOOLEAN, false, Importance.LOW,
                    "Whether ONNX Runtime's threads spin while waiting for the next batch (its own default). Off: "
                            + "the spinning takes CPU this process's Kafka clients and other services on the machine "
                            + "need (on 2 cores, int8, batch 32 through the broker: 265.5 and 251.6 records/s "
                            + "without, 217.3 and 213.9 with; ./bench inference [--spin-wait]).")
            .define(STANDBY_REPLICAS, Type.INT, 0, Range.between(0, 10), Importance.LOW,
                    "Standby copies of the pending-batch store on other instances, for fast failover.")
            .define(STATE_DIR, Type.STRING, "", Importance.LOW,
                    "Kafka Streams state directory; empty = sentiflow-streams under the JVM's temporary directory.")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
                    "How long a clean stop waits for the last transaction to commit."),
            LORA_DEFAULTS, "Of the served adapters: must be the trainer's (adapters trained with "
                    + "another LoRA shape are refused, naming the option).");

    /** {@link #SERVE_PRECISION} as the graph writer takes it. */
    public dev.sentiflow.modeldata.onnx.BertOnnxGraph.Precision precision() {
        return dev.sentiflow.modeldata.onnx.BertOnnxGraph.Precision.valueOf(
                getString(SERVE_PRECISION).toUpperCase(java.util.Locale.ROOT));
    }

    /** How scoring sessions use threads ({@link #INTRA_OP_THREADS}, {@link #SPIN_WAIT}). */
    public dev.sentiflow.inference.onnx.SessionThreads sessionThreads() {
        return new dev.sentiflow.inference.onnx.SessionThreads(intraOpThreads(getInt(INTRA_OP_THREADS),
                getInt(STREAM_THREADS) * parallelRuns(), Runtime.getRuntime().availableProcessors()),
                getBoolean(SPIN_WAIT));
    }

    /** {@link #PARALLEL_RUNS} as it applies on this machine. */
    public int parallelRuns() {
        return parallelRuns(getInt(PARALLEL_RUNS), getInt(STREAM_THREADS), getInt(INTRA_OP_THREADS),
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * The most runs of one batch at once that automatic settles on: 2 is what was measured (2 cores); on
     * many cores more, smaller runs would take a light load's few rows off most of the cores.
     */
    static final int MAX_AUTOMATIC_RUNS = 2;

    /**
     * The configured runs at once, or for 0 the cores divided among the stream threads and each run's
     * configured intra-op threads (1 to {@link #MAX_AUTOMATIC_RUNS}), so a configured thread count is
     * never multiplied past the cores.
     */
    static int parallelRuns(int configured, int streamThreads, int intraOpThreads, int cores) {
        if (configured > 0) {
            return configured;
        }
        return Math.max(1, Math.min(MAX_AUTOMATIC_RUNS, cores / (streamThreads * Math.max(1, intraOpThreads))));
    }

    /**
     * The intra-op threads a serving session gets: the configured number, or for 0 with one run at a
     * time in the whole instance ONNX Runtime's default (0: one per physical core), and with several (stream
     * threads times parallel runs) the cores shared among them (at least 1 each). Those runs share the
     * one session, and each with a pool of every core would oversubscribe them.
     */
    static int intraOpThreads(int configured, int runsAtOnce, int cores) {
        if (configured > 0 || runsAtOnce <= 1) {
            return configured;
        }
        return Math.max(1, cores / runsAtOnce);
    }

    /** Prints the configuration table that README.md carries. */
    public static void main(String[] args) {
        System.out.print(dev.sentiflow.schemas.config.ConfigMarkdown.table(DEFINITION));
    }

    private final KafkaClientSettings clients;

    public InferenceConfig(Map<?, ?> values) {
        this(values, Map.of());
    }

    /** @param origins where keys came from, for the error about an unknown one (see {@code ConfigSources}) */
    public InferenceConfig(Map<?, ?> values, Map<String, String> origins) {
        super(DEFINITION, values, false);
        UnknownOptions.reject(DEFINITION, values, origins);
        clients = KafkaClientSettings.fromOptions(originals(), DEFINITION.names());
        loraConfig(); // fail at start-up, naming the option, rather than when the first checkpoint arrives
        checkBatchesFitTheTransaction();
        List<String> labels = labels();
        if (labels.size() < 2 || labels.stream().distinct().count() != labels.size()
                || labels.stream().anyMatch(String::isBlank)) {
            throw new ConfigException(LABELS, getList(LABELS), "needs at least two distinct, non-blank names");
        }
    }

    public dev.sentiflow.inference.rollout.RolloutPolicy rolloutPolicy() {
        return new dev.sentiflow.inference.rollout.RolloutPolicy(getInt(PROMOTION_MIN_LABELED),
                getDouble(PROMOTION_TOLERANCE), getInt(ROLLBACK_MIN_LABELED), getDouble(ROLLBACK_MARGIN));
    }

    public LoraConfig loraConfig() {
        SharedOptions.Lora lora = SharedOptions.Lora.of(this);
        try {
            return new LoraConfig(lora.r(), lora.alpha(), LoraConfig.defaults().dropout(), lora.targets(),
                    lora.modulesToSave());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(LORA_TARGETS, getList(LORA_TARGETS), e.getMessage());
        }
    }

    /** Refuses batch bounds under which one batch could outlive its exactly-once transaction. */
    private void checkBatchesFitTheTransaction() {
        if (getLong(BATCH_MAX_TOKENS) < getInt(MAX_LENGTH)) {
            throw new ConfigException(BATCH_MAX_TOKENS, getLong(BATCH_MAX_TOKENS), "smaller than max.length ("
                    + getInt(MAX_LENGTH) + "): one record of the longest kind would not fit a batch");
        }
        Object set = clients.producer().get(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        long transactionMs = set == null ? EXACTLY_ONCE_TRANSACTION_TIMEOUT_MS : Long.parseLong(set.toString());
        if (getLong(BATCH_MAX_MS) * 4 > transactionMs) {
            throw new ConfigException(BATCH_MAX_MS, getLong(BATCH_MAX_MS), "over a quarter of the transaction timeout ("
                    + transactionMs + " ms): a batch, with the commit after it, could outlive its transaction");
        }
    }

    /** Kafka Streams' transaction timeout under exactly-once unless the producer's is set. */
    static final long EXACTLY_ONCE_TRANSACTION_TIMEOUT_MS = 10_000;

    public List<String> labels() {
        return getList(LABELS).stream().map(String::trim).toList();
    }

    public BatchPolicy batchPolicy() {
        return new BatchPolicy(getInt(BATCH_MAX_RECORDS), Duration.ofMillis(getLong(BATCH_MAX_WAIT_MS)),
                getLong(BATCH_MAX_TOKENS), Duration.ofMillis(getLong(BATCH_MAX_MS)), getBoolean(BATCH_COMMIT),
                getBoolean(BATCH_ACROSS_PARTITIONS));
    }

    public WithoutModel withoutModel() {
        return WithoutModel.parse(getString(SERVE_WITHOUT_MODEL));
    }

    public Optional<CheckpointSigner> checkpointVerifier() {
        Password key = getPassword(SIGNING_KEY);
        return CheckpointSigner.fromSecret(key == null ? null : key.value());
    }

    /** Kafka Streams settings: exactly-once, our ids and servers, then any {@code kafka.*} overrides. */
    /** The producer's {@code max.request.size}, which a dead letter must fit. */
    public int producerMaxRequestSize() {
        return clients.producerMaxRequestSize();
    }

    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(STREAM_THREADS));
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, getInt(STANDBY_REPLICAS));
        String stateDir = getString(STATE_DIR);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "sentiflow-streams").toString() : stateDir);
        clients.streams().forEach(props::put);
        return props;
    }

    /** Settings of the consumer that follows the models topic: servers plus {@code kafka.*} and {@code kafka.consumer.*}. */
    public Map<String, Object> consumerSettings() {
        Map<String, Object> props = new HashMap<>(clients.consumer());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        return props;
    }

    /** Settings of the admin client that checks the topics at start. */
    public Map<String, Object> adminSettings() {
        Map<String, Object> props = new HashMap<>(clients.admin());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        return props;
    }

    public dev.sentiflow.schemas.registry.SchemaRegistryClient registry() {
        return SchemaRegistrySettings.client(this);
    }

    public List<String> topics() {
        return List.of(getString(TOKENIZED_TOPIC), getString(PREDICTIONS_TOPIC), getString(MODELS_TOPIC),
                getString(DLQ_TOPIC), getString(LIVE_METRICS_TOPIC));
    }
}
