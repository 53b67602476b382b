package dev.sentiflow.trainer.config;

import dev.sentiflow.model.train.TrainingMode;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.checkpoint.CheckpointChunker;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import dev.sentiflow.schemas.config.ConfigMarkdown;
import dev.sentiflow.schemas.config.KafkaClientSettings;
import dev.sentiflow.schemas.config.SchemaRegistrySettings;
import dev.sentiflow.schemas.config.SharedOptions;
import dev.sentiflow.schemas.config.UnknownOptions;
import dev.sentiflow.schemas.ops.OpsSettings;
import dev.sentiflow.trainer.gate.Gate;
import dev.sentiflow.trainer.split.EvalSplit;
import dev.sentiflow.trainer.trigger.TriggerPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every option of the trainer, declared once. {@code trainer/README.md}'s table is generated from
 * {@link #DEFINITION} ({@code TrainerConfigTest} fails when it drifts; print it with this class's
 * {@code main}). Keys starting with {@code kafka.} are not declared here: they are Kafka client
 * settings, handed to each client by {@link #clients()} (see {@link KafkaClientSettings}); any other unknown key is refused.
 */
public final class TrainerConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = SchemaRegistrySettings.URL;
    public static final String GROUP_ID = "group.id";
    public static final String TOKENIZED_TOPIC = "topic.tokenized";
    public static final String MODELS_TOPIC = "topic.models";
    public static final String TRAINING_METRICS_TOPIC = "topic.training.metrics";
    public static final String LIVE_METRICS_TOPIC = SharedOptions.TOPIC_METRICS_LIVE;
    public static final String MODEL_NAME = "model.name";
    public static final String MODEL_PER_DOMAIN = "model.per.domain";
    public static final String BASE_MODEL = "base.model";
    public static final String TRAINING_MODE = "training.mode";
    public static final String TRAIN_FROM = "train.from";
    public static final String PUBLISH_AS = "publish.as";
    public static final String EVAL_SHARE = "eval.share";
    public static final String ROUND_SIZE = "round.size";
    public static final String ROUND_MIN_EXAMPLES = "round.min.examples";
    public static final String ROUND_MAX_WAIT_MS = "round.max.wait.ms";
    public static final String ROUND_MAX_SECONDS = "round.max.seconds";
    public static final String REPLAY_CAPACITY = "replay.capacity";
    public static final String EVAL_CAPACITY_PER_DOMAIN = "eval.capacity.per.domain";
    public static final String EVAL_MAX_DOMAINS = "eval.max.domains";
    public static final String BALANCE_CLASSES = "balance.classes";
    public static final String EPOCHS = "epochs";
    public static final String LEARNING_RATE = "learning.rate";
    public static final String BATCH_SIZE = "batch.size";
    public static final String MAX_LENGTH = "max.length";
    public static final String GATE_TOLERANCE = "gate.tolerance";
    public static final String GATE_MIN_DOMAIN_EXAMPLES = "gate.min.domain.examples";
    public static final String GATE_NOISE_Z = "gate.domain.noise.z";
    public static final String DRIFT_MARGIN = "drift.margin";
    public static final String DRIFT_MIN_LABELED = "drift.min.labeled";
    public static final String DRIFT_NOISE_Z = "drift.noise.z";
    public static final String MLM_EPOCHS = "mlm.epochs";
    public static final String UNLABELED_CAPACITY = "unlabeled.capacity";
    public static final String CHECKPOINT_CHUNK_BYTES = "checkpoint.chunk.bytes";
    public static final String CHECKPOINT_SIGNING_KEY = "checkpoint.signing.key";
    public static final String CHECKPOINT_MAX_PENDING_BYTES = SharedOptions.CHECKPOINT_MAX_PENDING_BYTES;
    public static final String SEED = "seed";
    public static final String LABELS = "labels";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String KAFKA_PREFIX = KafkaClientSettings.PREFIX;

    private static final TriggerPolicy TRIGGER = TriggerPolicy.DEFAULTS;

    private final KafkaClientSettings clients;

    public static final String LORA_R = SharedOptions.LORA_R;
    public static final String LORA_ALPHA = SharedOptions.LORA_ALPHA;
    public static final String LORA_TARGETS = SharedOptions.LORA_TARGETS;
    public static final String LORA_MODULES_TO_SAVE = SharedOptions.LORA_MODULES_TO_SAVE;
    private static final SharedOptions.Lora LORA_DEFAULTS = new SharedOptions.Lora(LoraConfig.defaults().r(),
            LoraConfig.defaults().alpha(), LoraConfig.defaults().targets(), LoraConfig.defaults().modulesToSave());

    public static final ConfigDef DEFINITION = SharedOptions.defineLora(SchemaRegistrySettings.define(OpsSettings.define(new ConfigDef()))
            .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", Importance.HIGH,
                    "Kafka brokers to connect to (host:port, comma-separated).")
            .define(GROUP_ID, Type.STRING, "sentiflow-trainer", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Consumer group of the trainer instances; models are shared out among them with the input partitions.")
            .define(TOKENIZED_TOPIC, Type.STRING, Topics.REVIEWS_TOKENIZED, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Input topic of TokenizedReview records; labeled ones are trained and evaluated on.")
            .define(MODELS_TOPIC, Type.STRING, Topics.MODELS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Compacted topic the checkpoints are published to (ModelCheckpoint chunks, one transaction per version).")
            .define(TRAINING_METRICS_TOPIC, Type.STRING, Topics.TRAINING_METRICS, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic of TrainingMetrics records: loss curve, evaluation scores, gate decisions.")
            .define(LIVE_METRICS_TOPIC, Type.STRING, Topics.LIVE_METRICS, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic of LiveMetrics records from inference, read for drift.")
            .define(MODEL_NAME, Type.STRING, "default", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Name of the one model trained on every domain, when model.per.domain is false.")
            .define(MODEL_PER_DOMAIN, Type.BOOLEAN, false, Importance.HIGH,
                    "Train one model per domain, named after the domain, instead of one model for all.")
            .define(BASE_MODEL, Type.STRING, "minilm", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Pretrained encoder: minilm, bert-base, distilbert-init, or a Hugging Face model directory.")
            .define(TRAINING_MODE, Type.STRING, "lora", ValidString.in("lora", "full"), Importance.HIGH,
                    "lora trains LoRA adapters and the head on a frozen encoder; full trains every weight.")
            .define(TRAIN_FROM, Type.STRING, "champion", ValidString.in("champion", "base"), Importance.MEDIUM,
                    "Start each round from the current champion (continual learning) or from the base model.")
            .define(PUBLISH_AS, Type.STRING, "champion", ValidString.in("champion", "challenger"), Importance.MEDIUM,
                    "How inference takes a version that passed the gate: champion (serve it at once) or challenger "
                            + "(score labeled records with it beside the serving version, promote it only if its live "
                            + "accuracy is not worse; inference's promotion.* options).")
            .define(EVAL_SHARE, Type.DOUBLE, EvalSplit.DEFAULT_EVAL_SHARE, Range.between(0.01, 0.5), Importance.MEDIUM,
                    "Share of labeled records held out for evaluation, by a stable hash of the record id.")
            .define(ROUND_SIZE, Type.INT, TRIGGER.roundSize(), Range.atLeast(1), Importance.HIGH,
                    "New labeled training examples that start a round (VOLUME).")
            .define(ROUND_MIN_EXAMPLES, Type.INT, TRIGGER.minExamples(), Range.atLeast(1), Importance.MEDIUM,
                    "New labeled training examples needed before round.max.wait.ms may start a smaller round (MAX_WAIT); "
                            + "at most round.size.")
            .define(ROUND_MAX_WAIT_MS, Type.LONG, TRIGGER.maxWait().toMillis(), Range.atLeast(1000), Importance.MEDIUM,
                    "Longest time between rounds while at least round.min.examples wait.")
            .define(ROUND_MAX_SECONDS, Type.LONG, 3600L, Range.atLeast(0), Importance.MEDIUM,
                    "What a round's fine-tune may cost: it stops after the epoch during which this many seconds "
                            + "passed, keeping its best epoch so far, and the gate judges that. 0 = no bound. (The "
                            + "trainer stays in its group however long a round takes.)")
            .define(REPLAY_CAPACITY, Type.INT, 4000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    "Earlier training examples kept (a uniform sample by id hash) and mixed into every round against forgetting.")
            .define(EVAL_CAPACITY_PER_DOMAIN, Type.INT, 500, Range.between(1, 1_000_000), Importance.MEDIUM,
                    "Held-out examples kept per domain (a uniform sample by id hash) for evaluation and the gate.")
            .define(EVAL_MAX_DOMAINS, Type.INT, 64, Range.between(1, 10_000), Importance.LOW,
                    "Domains with their own evaluation sample; examples of further domains share one.")
            .define(BALANCE_CLASSES, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Down-sample each round's training examples so every class is as frequent as the rarest.")
            .define(EPOCHS, Type.INT, 3, Range.between(1, 100), Importance.MEDIUM, "Epochs per round.")
            .define(LEARNING_RATE, Type.DOUBLE, 5e-4, Range.between(1e-7, 1.0), Importance.MEDIUM,
                    "Peak learning rate of AdamW with linear warm-up and decay (5e-4 suits LoRA; use about 5e-5 for full).")
            .define(BATCH_SIZE, Type.INT, 16, Range.between(1, 1024), Importance.MEDIUM, "Training batch size.")
            .define(MAX_LENGTH, Type.INT, 128, Range.between(2, 512), Importance.MEDIUM,
                    "Longest token sequence trained on, [CLS] and [SEP] included; a longer tokenized review is refused "
                    + "(counted, logged once): tokenize with tokenizer.max.length at most this.")
            .define(GATE_TOLERANCE, Type.DOUBLE, Gate.DEFAULT_TOLERANCE, Range.between(0.0, 0.5), Importance.HIGH,
                    "Macro-F1 a candidate may lose against the champion, overall and in any judged domain (0.01 = 1 point).")
            .define(GATE_MIN_DOMAIN_EXAMPLES, Type.INT, Gate.DEFAULT_MIN_DOMAIN_EXAMPLES, Range.atLeast(1),
                    Importance.MEDIUM, "Evaluation examples a domain needs for the gate to judge its drop.")
            .define(GATE_NOISE_Z, Type.DOUBLE, Gate.DEFAULT_NOISE_Z, Range.between(0.0, 9.99), Importance.MEDIUM,
                    "A domain's drop is refused only beyond the tolerance plus z standard errors of its score "
                            + "difference, sqrt(2p(1-p)/n); 0 = the tolerance alone.")
            .define(DRIFT_MARGIN, Type.DOUBLE, TRIGGER.driftMargin(), Range.between(0.0, 0.99), Importance.MEDIUM,
                    "Live accuracy drop below the published accuracy that starts an early round (DRIFT).")
            .define(DRIFT_NOISE_Z, Type.DOUBLE, TriggerPolicy.DEFAULT_DRIFT_NOISE_Z, Range.between(0.0, 9.99),
                    Importance.LOW, "Standard errors of the difference between the published accuracy (over its "
                            + "evaluation set) and the live one (over its labeled records) that a drop must exceed, "
                            + "beyond drift.margin, to be drift: both are samples. 0 = drift.margin alone.")
            .define(DRIFT_MIN_LABELED, Type.LONG, TRIGGER.driftMinLabeled(), Range.atLeast(1), Importance.MEDIUM,
                    "Labeled live records a live accuracy must cover before it can signal drift.")
            .define(MLM_EPOCHS, Type.INT, 0, Range.between(0, 100), Importance.LOW,
                    "Masked-language-modelling epochs on unlabeled in-domain text before each round; 0 = off.")
            .define(UNLABELED_CAPACITY, Type.INT, 2000, Range.between(0, 10_000_000), Importance.LOW,
                    "Unlabeled texts kept (a uniform sample by id hash) for masked-language modelling.")
            .define(CHECKPOINT_CHUNK_BYTES, Type.INT, CheckpointChunker.DEFAULT_MAX_CHUNK_BYTES,
                    Range.between(1024, 64 * 1024 * 1024), Importance.LOW,
                    "Most checkpoint bytes per models record; with up to 64 KiB of header and framing it must fit the "
                            + "models topic's max.message.bytes (checked at start: the trainer does not start otherwise).")
            .define(CHECKPOINT_MAX_PENDING_BYTES, Type.LONG, SharedOptions.DEFAULT_MAX_PENDING_BYTES, Range.atLeast(1),
                    Importance.LOW, "Most checkpoint bytes held while reading the models topic at start, chunks of "
                            + "versions not yet complete (heap); at least the largest checkpoint.")
            .define(CHECKPOINT_SIGNING_KEY, Type.PASSWORD, "", Importance.MEDIUM,
                    "Secret for HMAC-SHA256 checkpoint signatures, shared with inference; when set, a rollout decision "
                            + "on metrics.live counts only signed with it. Empty = unsigned.")
            .define(LABELS, Type.LIST, "negative,positive", Importance.HIGH,
                    "Class names in logit order; the same list as ingest's labels. Records with another label are refused.")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 15_000L, Range.atLeast(0), Importance.LOW,
                    "On SIGTERM: how long to wait for the running poll or round to end before closing the clients.")
            .define(SEED, Type.LONG, 42L, Importance.LOW,
                    "Seed of sampling, shuffling and initialisation, so a restart rebuilds the same samples."),
            LORA_DEFAULTS, "Of the adapters trained when training.mode=lora; inference must be given the same.");

    /** Prints the configuration table that trainer/README.md carries. */
    public static void main(String[] args) {
        System.out.print(ConfigMarkdown.table(DEFINITION));
    }

    public TrainerConfig(Map<?, ?> values) {
        this(values, Map.of());
    }

    /** @param origins where keys came from, for the error about an unknown one (see {@code ConfigSources}) */
    public TrainerConfig(Map<?, ?> values, Map<String, String> origins) {
        super(DEFINITION, values, false);
        UnknownOptions.reject(DEFINITION, values, origins);
        clients = KafkaClientSettings.fromOptions(originals(), DEFINITION.names());
        if (getInt(ROUND_MIN_EXAMPLES) > getInt(ROUND_SIZE)) {
            throw new ConfigException(ROUND_MIN_EXAMPLES, getInt(ROUND_MIN_EXAMPLES),
                    "must be at most " + ROUND_SIZE + " (" + getInt(ROUND_SIZE) + ")");
        }
        loraConfig(); // fail at start-up, naming the option

    }

    /** The {@code kafka.*} client settings (security, timeouts), per kind of client. */
    public KafkaClientSettings clients() {
        return clients;
    }

    public dev.sentiflow.schemas.registry.SchemaRegistryClient registry() {
        return SchemaRegistrySettings.client(this);
    }

    /** What a round may cost, or null for no bound. */
    public java.time.Duration roundTimeBudget() {
        long seconds = getLong(ROUND_MAX_SECONDS);
        return seconds == 0 ? null : java.time.Duration.ofSeconds(seconds);
    }

    public TriggerPolicy triggerPolicy() {
        return new TriggerPolicy(getInt(ROUND_SIZE), getInt(ROUND_MIN_EXAMPLES),
                Duration.ofMillis(getLong(ROUND_MAX_WAIT_MS)), getDouble(DRIFT_MARGIN), getLong(DRIFT_MIN_LABELED),
                getDouble(DRIFT_NOISE_Z));
    }

    public Gate gate() {
        return new Gate(getDouble(GATE_TOLERANCE), getInt(GATE_MIN_DOMAIN_EXAMPLES), getDouble(GATE_NOISE_Z));
    }

    public EvalSplit evalSplit() {
        return new EvalSplit(getDouble(EVAL_SHARE));
    }

    /** The LoRA shape of the adapters, when training.mode=lora. */
    public Optional<LoraConfig> loraConfig() {
        if (trainingMode() != TrainingMode.LORA) {
            return Optional.empty();
        }
        SharedOptions.Lora lora = SharedOptions.Lora.of(this);
        try {
            return Optional.of(new LoraConfig(lora.r(), lora.alpha(), LoraConfig.defaults().dropout(), lora.targets(),
                    lora.modulesToSave()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(LORA_TARGETS, lora.targets(), e.getMessage());
        }
    }

    public TrainingMode trainingMode() {
        return TrainingMode.parse(getString(TRAINING_MODE));
    }

    public TrainFrom trainFrom() {
        return TrainFrom.valueOf(getString(TRAIN_FROM).toUpperCase(Locale.ROOT));
    }

    public dev.sentiflow.avro.Rollout publishAs() {
        return dev.sentiflow.avro.Rollout.valueOf(getString(PUBLISH_AS).toUpperCase(Locale.ROOT));
    }

    /** The signer for published checkpoints, empty when {@code checkpoint.signing.key} is empty. */
    public Optional<CheckpointSigner> signer() {
        return CheckpointSigner.fromSecret(getPassword(CHECKPOINT_SIGNING_KEY).value());
    }

    public CheckpointChunker chunker() {
        return new CheckpointChunker(getInt(CHECKPOINT_CHUNK_BYTES), signer());
    }

    /** The model a record of this domain trains: the domain itself, or the one configured name. */
    public String modelFor(String domain) {
        return getBoolean(MODEL_PER_DOMAIN) ? domain : getString(MODEL_NAME);
    }
}
