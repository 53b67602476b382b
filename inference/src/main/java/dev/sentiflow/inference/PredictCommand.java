package dev.sentiflow.inference;

import dev.sentiflow.inference.models.CheckpointIntake;
import dev.sentiflow.inference.models.Lease;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.inference.models.ModelsFollower;
import dev.sentiflow.inference.models.ServedVersion;
import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.models.ServingWeights;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.CheckpointFile;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ClassifierLayout;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.metrics.Scored;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.WeightFileException;
import dev.sentiflow.schemas.config.ConfigSources;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The notebooks' {@code predict_sentiment}: scores texts with a checkpoint (the {@code finetune}
 * output, or any version saved from {@code models}) and prints, per text, the label and every class's
 * softmax probability, scored through ONNX Runtime as the inference app scores.
 *
 * <pre>
 * predict --checkpoint runs/uci-lora/adapter.safetensors [--base minilm] [--precision fp32|int8] [TEXT ...]
 * predict --models runs/local/client.properties [--model default] [TEXT ...]
 * </pre>
 *
 * Without TEXT arguments it reads one text per line from standard input. The checkpoint names its
 * base by hash, labels, tokenizer and max length; a checkpoint trained on another base is refused.
 * With {@code --models} the version is the one the inference app would serve now: the settings file
 * holds inference options (at least {@code bootstrap.servers} and {@code schema.registry.url}), the
 * {@code models} topic is read to its end through the app's own intake (hash, signature, identity,
 * rollout decisions), and the named model's champion scores.
 */
public final class PredictCommand {

    static final String USAGE = "usage: predict --checkpoint FILE.safetensors [--base minilm|bert-base|HF-DIR] "
            + "[--precision fp32|int8] [TEXT ...]\n       predict --models INFERENCE.properties [--model NAME] [TEXT ...]   (the newest "
            + "version inference would serve; no TEXT: one text per line on stdin)";
    private static final Duration CATCH_UP = Duration.ofMinutes(2);

    private final PrintStream out;

    public PredictCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        System.exit(new PredictCommand(System.out).execute(args, System.err,
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))));
    }

    /** Parses, scores and prints; returns the exit status (0 done, 1 failed, 2 bad arguments). */
    public int execute(String[] args, PrintStream err, BufferedReader stdin) throws IOException {
        Path checkpoint = null;
        Path modelsSettings = null;
        String model = null;
        String base = BaseWeights.DEFAULT;
        String precision = null;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--checkpoint", "--base", "--models", "--model", "--precision" -> {
                    if (i + 1 >= args.length) {
                        err.println("predict: " + args[i] + " needs a value\n" + USAGE);
                        return 2;
                    }
                    switch (args[i]) {
                        case "--checkpoint" -> checkpoint = Path.of(args[++i]);
                        case "--models" -> modelsSettings = Path.of(args[++i]);
                        case "--model" -> model = args[++i];
                        case "--precision" -> precision = args[++i];
                        default -> base = args[++i];
                    }
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        err.println("predict: unknown option " + args[i] + "\n" + USAGE);
                        return 2;
                    }
                    texts.add(args[i]);
                }
            }
        }
        if ((checkpoint == null) == (modelsSettings == null)) {
            err.println("predict: give exactly one of --checkpoint and --models\n" + USAGE);
            return 2;
        }
        if (precision != null && modelsSettings != null) {
            err.println("predict: --precision is for --checkpoint; with --models, serve.precision in the settings "
                    + "file decides, as for the app\n" + USAGE);
            return 2;
        }
        if (precision != null && !precision.equals("fp32") && !precision.equals("int8")) {
            err.println("predict: --precision must be fp32 or int8, got '" + precision + "'\n" + USAGE);
            return 2;
        }
        if (model != null && modelsSettings == null) {
            err.println("predict: --model picks a model on the models topic; it needs --models\n" + USAGE);
            return 2;
        }
        if (texts.isEmpty()) {
            for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
                if (!line.isBlank()) {
                    texts.add(line);
                }
            }
        }
        try {
            if (modelsSettings != null) {
                scoreFromModels(modelsSettings, model, texts, err);
            } else {
                score(checkpoint, base, precision == null || precision.equals("fp32") ? BertOnnxGraph.Precision.FP32
                        : BertOnnxGraph.Precision.INT8, texts);
            }
            return 0;
        } catch (CheckpointException | WeightFileException | IllegalArgumentException | IllegalStateException
                 | IOException | ConfigException e) {
            err.println("predict failed: " + e.getMessage());
            return 1;
        } catch (org.apache.kafka.common.KafkaException e) {
            err.println("predict failed: cannot read the models from Kafka (" + modelsSettings + "): " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("predict: interrupted");
            return 1;
        }
    }

    private void scoreFromModels(Path settings, String wanted, List<String> texts, PrintStream err)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(settings)) {
            throw new IOException("no settings file " + settings);
        }
        ConfigSources.Loaded loaded = ConfigSources.load(new String[] {settings.toString()}, Map.of());
        InferenceConfig config = new InferenceConfig(loaded.values(), loaded.origins());
        String name = wanted != null ? wanted : config.getString(InferenceConfig.DEFAULT_MODEL);
        SchemaRegistryClient schemas = config.registry();
        try (ServingBlock serving = ServingBlock.load(config); ModelRegistry registry = new ModelRegistry()) {
            CheckpointIntake intake = InferenceService.intake(config, serving.versions(), registry);
            try (ModelsFollower follower = InferenceService.follower(config, intake, schemas)) {
                follower.start();
                if (!follower.awaitCaughtUp(CATCH_UP)) {
                    throw new IllegalStateException("could not read " + config.getString(InferenceConfig.MODELS_TOPIC)
                            + " at " + config.getList(InferenceConfig.BOOTSTRAP_SERVERS) + " to its end within "
                            + CATCH_UP.toSeconds() + " s");
                }
            }
            try (Lease lease = registry.acquire(name).orElseThrow(() -> new IllegalStateException("no valid version "
                    + "of model '" + name + "' on " + config.getString(InferenceConfig.MODELS_TOPIC) + " (served: "
                    + registry.versions() + ", refused: " + intake.refusals() + ")"))) {
                err.println("predict: model " + lease.version() + " from " + config.getString(InferenceConfig.MODELS_TOPIC)
                        + " at " + config.getList(InferenceConfig.BOOTSTRAP_SERVERS));
                List<int[]> ids = texts.stream().map(serving.tokenizer()::encode).toList();
                var scored = serving.scorer(32).score(ids, lease.version().onnx());
                for (int i = 0; i < texts.size(); i++) {
                    out.println(line(lease.version().labels(), scored.get(i), texts.get(i)));
                }
            }
        }
    }

    private void score(Path file, String baseId, BertOnnxGraph.Precision precision, List<String> texts)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint file " + file);
        }
        byte[] bytes = Files.readAllBytes(file);
        CheckpointFile decoded = CheckpointFile.decode(bytes, file.toString());
        CheckpointMetadata meta = decoded.metadata();
        BaseWeights base = BaseWeights.load(baseId);
        try (TextTokenizer tokenizer = base.openTokenizer(meta.maxLength())) {
            ModelIdentity identity = new ModelIdentity(base.baseHash(), meta.lora(), meta.labels(), tokenizer.id(),
                    meta.maxLength());
            var weights = ServingWeights.of(base, ClassifierLayout.of(base.config(), meta.lora(), meta.labels().size()),
                    0L);
            try (ServedVersions versions = new ServedVersions(base.config(), weights, identity, precision,
                    SessionThreads.DEFAULT)) {
                ServedVersion version = versions.fromCheckpoint("checkpoint", 0, "", decoded, file.toString());
                try {
                    List<int[]> ids = texts.stream().map(tokenizer::encode).toList();
                    var scored = new OnnxScorer(tokenizer.padId(), 32).score(ids, version.onnx());
                    for (int i = 0; i < texts.size(); i++) {
                        out.println(line(meta.labels(), scored.get(i), texts.get(i)));
                    }
                } finally {
                    version.retire();
                }
            }
        }
    }

    /** {@code positive 0.9731  (negative 0.0269, positive 0.9731)  the text}. */
    static String line(List<String> labels, Scored s, String text) {
        StringBuilder probabilities = new StringBuilder();
        for (int c = 0; c < labels.size(); c++) {
            probabilities.append(c == 0 ? "" : ", ").append(labels.get(c))
                    .append(String.format(Locale.ROOT, " %.4f", s.probabilities()[c]));
        }
        return String.format(Locale.ROOT, "%s %.4f  (%s)  %s", labels.get(s.predicted()), s.probabilities()[s.predicted()],
                probabilities, text);
    }
}
