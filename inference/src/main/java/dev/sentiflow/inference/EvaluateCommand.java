package dev.sentiflow.inference;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.inference.evaluate.PublishedVersions;
import dev.sentiflow.inference.evaluate.TestScoresFile;
import dev.sentiflow.inference.evaluate.TestSet;
import dev.sentiflow.inference.evaluate.VersionScores;
import dev.sentiflow.inference.models.CheckpointIntake;
import dev.sentiflow.inference.models.ServedVersion;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.metrics.Scored;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.config.ConfigSources;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.text.data.LabelMap;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code evaluate --models INFERENCE.properties --file test.csv}: scores every version of a model that
 * is on the {@code models} topic on one labeled test file (the same rows for every version, never
 * streamed) and prints one line per version, accuracy and macro-F1 overall and per domain, beside the
 * version before it: a user's own check that the model got better. It takes inference's settings file,
 * so it accepts exactly the checkpoints inference would (identity, signature). With {@code --out} it
 * also adds the scores to a {@link TestScoresFile}, which {@code report --test-scores} draws.
 */
public final class EvaluateCommand {

    static final String USAGE = "usage: evaluate --models INFERENCE.properties --file TEST.csv|TEST.jsonl "
            + "[--model NAME] [--versions all|N,M,...] [--text-column text] [--label-column label] "
            + "[--domain-column domain] [--label-map 0=negative,1=positive] [--out SCORES.json]";
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);
    private static final Set<String> OPTIONS = Set.of("models", "file", "model", "versions", "text-column",
            "label-column", "domain-column", "label-map", "out");

    private final PrintStream out;

    public EvaluateCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new EvaluateCommand(System.out).execute(args, System.err));
    }

    /** Returns the exit status: 0 done, 1 failed (it says why), 2 bad arguments. */
    public int execute(String[] args, PrintStream err) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.println(USAGE);
                return 0;
            }
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!OPTIONS.contains(name) || i + 1 >= args.length) {
                err.println("evaluate: " + (OPTIONS.contains(name) ? args[i] + " needs a value" : "unknown argument "
                        + args[i]) + "\n" + USAGE);
                return 2;
            }
            o.put(name, args[++i]);
        }
        if (!o.containsKey("models") || !o.containsKey("file")) {
            err.println("evaluate: --models and --file are required\n" + USAGE);
            return 2;
        }
        try {
            run(o, err);
            return 0;
        } catch (IllegalArgumentException | IllegalStateException | IOException | ConfigException e) {
            err.println("evaluate failed: " + e.getMessage());
            return 1;
        } catch (org.apache.kafka.common.KafkaException e) {
            err.println("evaluate failed: cannot read the models from Kafka (" + o.get("models") + "): " + e);
            return 1;
        }
    }

    private void run(Map<String, String> o, PrintStream err) throws IOException {
        Path settings = Path.of(o.get("models"));
        Path file = Path.of(o.get("file"));
        if (!Files.isRegularFile(settings)) {
            throw new IOException("no settings file " + settings);
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("no test file " + file);
        }
        ConfigSources.Loaded loaded = ConfigSources.load(new String[] {settings.toString()}, Map.of());
        InferenceConfig config = new InferenceConfig(loaded.values(), loaded.origins());
        String model = o.getOrDefault("model", config.getString(InferenceConfig.DEFAULT_MODEL));
        Set<Long> wanted = versions(o.getOrDefault("versions", "all"));
        TestSet test = TestSet.read(file, new TestSet.Columns(o.getOrDefault("text-column", "text"),
                o.getOrDefault("label-column", "label"), o.getOrDefault("domain-column", "domain"),
                LabelMap.parse(o.getOrDefault("label-map", ""))), config.labels());
        if (!test.skippedLabels().isEmpty()) {
            err.println("evaluate: left out rows whose label is not one of " + config.labels() + ": "
                    + test.skippedLabels());
        }
        String topic = config.getString(InferenceConfig.MODELS_TOPIC);
        PublishedVersions published = PublishedVersions.read(config.consumerSettings(), topic, model,
                new RecordDecoder<>(config.registry(), ModelCheckpoint.getClassSchema()),
                new CheckpointAssembler(config.getLong(InferenceConfig.CHECKPOINT_MAX_PENDING_BYTES),
                        config.checkpointVerifier()), READ_TIMEOUT);
        published.refused().forEach(r -> err.println("evaluate: refused on " + topic + ": " + r));
        if (published.versions().isEmpty()) {
            throw new IllegalStateException("no whole version of model '" + model + "' on " + topic);
        }
        Path outFile = o.containsKey("out") ? Path.of(o.get("out")) : null;
        // Read (and checked against this test file) before scoring, so a wrong --out fails before minutes of work.
        if (outFile != null) {
            TestScoresFile.read(outFile).with(file.toString(), test.size(), List.of());
        }
        List<TestScoresFile.Version> scored = new java.util.ArrayList<>();
        err.printf("evaluate: model %s, versions on %s: %s; %d test rows from %s%n", model, topic,
                published.versions().stream().map(c -> "v" + c.version()).toList(), test.size(), file);
        try (ServingBlock serving = ServingBlock.load(config)) {
            List<int[]> ids = test.texts().stream().map(serving.tokenizer()::encode).toList();
            OnnxScorer scorer = serving.scorer(32);
            VersionScores previous = null;
            for (AssembledCheckpoint checkpoint : published.versions()) {
                if (!wanted.isEmpty() && !wanted.contains(checkpoint.version())) {
                    continue;
                }
                List<String> problems = CheckpointIntake.headerProblems(checkpoint.header(), serving.identity());
                if (!problems.isEmpty()) {
                    out.println(model + " v" + checkpoint.version() + " not scored: " + String.join("; ", problems));
                    continue;
                }
                ServedVersion version;
                try {
                    version = serving.versions().fromCheckpoint(model, checkpoint.version(), checkpoint.sha256(),
                            checkpoint.payload(), topic + " v" + checkpoint.version());
                } catch (CheckpointException e) {
                    out.println(model + " v" + checkpoint.version() + " not scored: " + e.getMessage());
                    continue;
                }
                try {
                    int[] predicted = scorer.score(ids, version.onnx()).stream()
                            .mapToInt(Scored::predicted).toArray();
                    VersionScores scores = VersionScores.of(model, checkpoint.version(), config.labels(), test,
                            predicted);
                    out.println(scores.line(previous));
                    scored.add(TestScoresFile.version(scores));
                    previous = scores;
                } finally {
                    version.retire();
                }
            }
        }
        if (outFile != null) {
            // Read again: another evaluate may have added versions meanwhile (the local stack runs one per swap).
            TestScoresFile.read(outFile).with(file.toString(), test.size(), scored).write(outFile);
            err.println("evaluate: scores of " + scored.size() + " version(s) added to " + outFile);
        }
    }

    /** {@code all} (empty: every version) or a comma list of version numbers. */
    static Set<Long> versions(String text) {
        Set<Long> out = new HashSet<>();
        if (text.equals("all")) {
            return out;
        }
        for (String v : text.split(",")) {
            try {
                out.add(Long.parseLong(v.trim().replaceFirst("^v", "")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--versions takes all or version numbers, got '" + v + "'");
            }
        }
        return out;
    }
}
