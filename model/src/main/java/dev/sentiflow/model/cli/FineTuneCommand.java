package dev.sentiflow.model.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.checkpoint.HfDirectoryExport;
import dev.sentiflow.model.checkpoint.PeftAdapterFiles;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.MaskedLanguageModel;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.report.LossCurveSvg;
import dev.sentiflow.model.train.EncodedExample;
import dev.sentiflow.model.train.EpochResult;
import dev.sentiflow.model.train.FineTuneListener;
import dev.sentiflow.model.train.FineTuneResult;
import dev.sentiflow.model.train.FineTuner;
import dev.sentiflow.model.train.MlmAdapter;
import dev.sentiflow.model.train.MlmResult;
import dev.sentiflow.model.train.TrainingConfig;
import dev.sentiflow.model.train.TrainingMode;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.metrics.ClassScores;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.text.data.LabelSet;
import dev.sentiflow.text.data.LabeledText;
import dev.sentiflow.text.data.LabeledTextLoader;
import dev.sentiflow.text.data.LabeledTextSet;
import dev.sentiflow.text.data.MalformedDataException;
import dev.sentiflow.text.data.StableSplit;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Fine-tunes a classifier from a labelled CSV/JSONL file, the way the reference notebooks do,
 * and prints what they print: the trainable-parameter report, per-epoch loss, accuracy,
 * macro-F1, per-class precision/recall, the confusion matrix and throughput. Writes
 * {@code loss-curve.svg}, {@code metrics.json} and the checkpoint ({@code adapter.safetensors}
 * plus a PEFT directory for LoRA, {@code model.safetensors} for a full fine-tune) to {@code --out}.
 *
 * <pre>
 *   java ... dev.sentiflow.model.cli.FineTuneCommand --train finefoods_train.csv \
 *       --eval finefoods_test.csv --mode lora --out runs/finefoods
 * </pre>
 *
 * Exit status: 0 done, 1 the run failed (message says why), 2 bad arguments (usage printed).
 */
public final class FineTuneCommand {

    private final PrintStream out;

    public FineTuneCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new FineTuneCommand(System.out).execute(args, System.err));
    }

    /** Parses and runs; returns the exit status. */
    public int execute(String[] args, PrintStream err) {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            out.print(FineTuneOptions.usage());
            return 0;
        }
        FineTuneOptions options;
        try {
            options = FineTuneOptions.parse(args);
        } catch (UsageException e) {
            err.println("fine-tune: " + e.getMessage());
            err.println();
            err.print(FineTuneOptions.usage());
            return 2;
        }
        try {
            run(options);
            return 0;
        } catch (MalformedDataException | IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("fine-tune failed: " + e.getMessage());
            return 1;
        }
    }

    /** Runs a fine-tune with parsed options. */
    public FineTuneResult run(FineTuneOptions options) throws IOException {
        long started = System.nanoTime();
        TrainingConfig config = options.training();
        LabeledTextLoader loader = LabeledTextLoader.defaults()
                .textColumn(options.textColumn())
                .labelColumn(options.labelColumn())
                .idColumn(options.idColumn());
        if (options.limit().isPresent()) {
            loader = loader.limit(options.limit().getAsLong());
        }
        if (options.labels().isPresent()) {
            loader = loader.labels(LabelSet.of(options.labels().get()));
        }
        LabeledTextSet trainSet = loader.load(options.train());
        LabeledTextSet evalSet;
        if (options.eval().isPresent()) {
            evalSet = loader.labels(trainSet.labels()).load(options.eval().get());
        } else {
            StableSplit.Split split = new StableSplit(options.evalFraction().getAsDouble()).apply(trainSet);
            trainSet = split.train();
            evalSet = split.eval();
        }
        if (trainSet.size() == 0 || evalSet.size() == 0) {
            throw new IllegalArgumentException("need training and evaluation examples, got "
                    + trainSet.size() + " and " + evalSet.size());
        }
        List<String> labels = trainSet.labels().names();
        out.printf(Locale.ROOT, "data: %d train, %d eval examples; labels %s; train class counts %s%n",
                trainSet.size(), evalSet.size(), labels, java.util.Arrays.toString(trainSet.classCounts()));

        Files.createDirectories(options.out());
        try (NDManager manager = NDManager.newBaseManager();
                BaseModel base = BaseModels.load(manager, options.base());
                TextTokenizer tokenizer = base.openTokenizer(config.maxLength())) {
            List<EncodedExample> train = encode(tokenizer, trainSet);
            List<EncodedExample> eval = encode(tokenizer, evalSet);
            out.printf(Locale.ROOT, "tokenized with %s, max length %d: mean %.1f tokens per train text, %d%% truncated%n",
                    tokenizer.id(), config.maxLength(), meanLength(train), percentAtMax(train, config.maxLength()));

            Optional<LoraConfig> lora = config.mode() == TrainingMode.LORA ? Optional.of(LoraConfig.defaults()) : Optional.empty();
            SequenceClassifier model = Classifiers.create(manager, base, labels.size(), lora, config.seed());
            Map<String, Parameter> named = model.namedParameters();
            printTrainable(named, lora);

            if (options.mlmEpochs() > 0) {
                adaptToDomain(manager, base, tokenizer, model, config, options.mlmEpochs(), train, eval);
            }

            FineTuneResult result = new FineTuner(config)
                    .listener(new EpochPrinter(config.epochs()))
                    .run(model, named, manager, train, eval, labels, tokenizer.padId());

            EpochResult best = result.best();
            out.printf(Locale.ROOT, "best epoch %d (eval loss %.4f): accuracy %.4f, macro-F1 %.4f%s%n",
                    best.epoch(), best.eval().loss(), best.eval().accuracy(), best.eval().macroF1(),
                    result.stoppedEarly() ? " (stopped early)" : "");
            writeOutputs(options, base, tokenizer, model, lora, labels, train.size(), eval.size(), named, result);
            out.printf(Locale.ROOT, "done in %.1f min%n", (System.nanoTime() - started) / 60e9);
            return result;
        }
    }

    /**
     * The notebook's domain adaptation: masked-language modelling on the training texts (labels
     * unused) through the classifier's own encoder, before the task. Held-out MLM loss is measured
     * on the evaluation texts, which are never trained on.
     */
    private void adaptToDomain(NDManager manager, BaseModel base, TextTokenizer tokenizer, SequenceClassifier model,
            TrainingConfig config, int epochs, List<EncodedExample> train, List<EncodedExample> eval) {
        MaskedLanguageModel mlm = Classifiers.maskedLmOn(manager, model, base, config.seed());
        MlmAdapter adapter = new MlmAdapter(config.withEpochs(epochs), tokenizer.maskId(), tokenizer.padId(),
                tokenizer.vocabSize(), tokenizer::isSpecial);
        MlmResult result = adapter.run(mlm, mlm.namedParameters(), manager,
                train.stream().map(EncodedExample::tokenIds).toList(),
                eval.stream().map(EncodedExample::tokenIds).toList());
        out.printf(Locale.ROOT, "domain adaptation (MLM, %d epoch%s): held-out masked-token loss %.4f -> %.4f "
                        + "(perplexity %.1f -> %.1f), %.1f samples/s%n",
                epochs, epochs == 1 ? "" : "s", result.heldOutLossBefore(), result.heldOutLossAfter(),
                Math.exp(result.heldOutLossBefore()), result.heldOutPerplexityAfter(), result.samplesPerSecond());
    }

    private static List<EncodedExample> encode(TextTokenizer tokenizer, LabeledTextSet set) {
        List<EncodedExample> encoded = new ArrayList<>(set.size());
        for (LabeledText text : set.examples()) {
            encoded.add(new EncodedExample(tokenizer.encode(text.text()), text.label()));
        }
        return encoded;
    }

    private static double meanLength(List<EncodedExample> examples) {
        return examples.stream().mapToInt(EncodedExample::length).average().orElse(0);
    }

    private static long percentAtMax(List<EncodedExample> examples, int maxLength) {
        long atMax = examples.stream().filter(e -> e.length() >= maxLength).count();
        return Math.round(100.0 * atMax / Math.max(1, examples.size()));
    }

    private void printTrainable(Map<String, Parameter> named, Optional<LoraConfig> lora) {
        long total = 0;
        long trainable = 0;
        int tensors = 0;
        for (Parameter p : named.values()) {
            long size = p.getArray().size();
            total += size;
            if (p.requiresGradient()) {
                trainable += size;
                tensors++;
            }
        }
        out.printf(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f (%d tensors)%s%n",
                trainable, total, 100.0 * trainable / total, tensors,
                lora.map(l -> String.format(Locale.ROOT, "; LoRA r=%d alpha=%s on %s, head trained whole: %s",
                        l.r(), l.alpha(), l.targets(), l.modulesToSave())).orElse("; full fine-tune"));
    }

    private void writeOutputs(FineTuneOptions options, BaseModel base, TextTokenizer tokenizer, SequenceClassifier model,
            Optional<LoraConfig> lora, List<String> labels, int trainSize, int evalSize, Map<String, Parameter> named,
            FineTuneResult result) throws IOException {
        Path dir = options.out();
        List<LossCurveSvg.EvalPoint> evalPoints = result.epochs().stream()
                .map(e -> new LossCurveSvg.EvalPoint(e.lastStep(), e.eval().loss())).toList();
        String title = String.format(Locale.ROOT, "%s %s fine-tune on %s", base.id(),
                options.training().mode().name().toLowerCase(Locale.ROOT), options.train().getFileName());
        Path svg = dir.resolve("loss-curve.svg");
        Files.writeString(svg, LossCurveSvg.render(title, result.stepLosses(), evalPoints), StandardCharsets.UTF_8);
        long trainable = named.values().stream().filter(Parameter::requiresGradient).mapToLong(p -> p.getArray().size()).sum();
        long total = named.values().stream().mapToLong(p -> p.getArray().size()).sum();
        Path metrics = dir.resolve("metrics.json");
        MetricsJson.write(metrics, options, base.baseHash(), labels, trainSize, evalSize, trainable, total, result);

        CheckpointKind kind = lora.isPresent() ? CheckpointKind.ADAPTER : CheckpointKind.FULL;
        byte[] checkpoint = CheckpointCodec.encode(model,
                new CheckpointMetadata(kind, base.baseHash(), lora, labels, tokenizer.id(), options.training().maxLength()));
        Path checkpointFile = dir.resolve(lora.isPresent() ? "adapter.safetensors" : "model.safetensors");
        Files.write(checkpointFile, checkpoint);
        out.printf(Locale.ROOT, "wrote %s, %s, %s (%,d bytes)%n", svg, metrics, checkpointFile, checkpoint.length);
        if (lora.isPresent()) {
            Path peft = dir.resolve("peft");
            PeftAdapterFiles.write(peft, model, lora.get(), base.config(), pythonBaseName(options.base()));
            out.printf(Locale.ROOT, "wrote PEFT adapter directory %s%n", peft);
        } else {
            // A full fine-tune is a new model: a Hugging Face directory Python loads with from_pretrained.
            Path hf = dir.resolve("hf");
            HfDirectoryExport.write(hf, model, labels, base.tokenizerJson());
            out.printf(Locale.ROOT, "wrote Hugging Face model directory %s%n", hf);
        }
    }

    /** What Python should load as the base for a PEFT adapter. */
    private static String pythonBaseName(String base) {
        return switch (base) {
            case BaseWeights.MINILM -> "sentence-transformers/all-MiniLM-L6-v2";
            case BaseWeights.BERT_BASE -> "bert-base-uncased";
            default -> base;
        };
    }

    /** Prints each epoch's scores as the notebooks do. */
    private final class EpochPrinter implements FineTuneListener {

        private final int epochs;

        EpochPrinter(int epochs) {
            this.epochs = epochs;
        }

        @Override
        public void onEpoch(EpochResult r, boolean best) {
            out.printf(Locale.ROOT,
                    "epoch %d/%d: train loss %.4f | eval loss %.4f | accuracy %.4f | macro-F1 %.4f | train %.1f samples/s | eval %.1f samples/s%s%n",
                    r.epoch(), epochs, r.trainLoss(), r.eval().loss(), r.eval().accuracy(), r.eval().macroF1(),
                    r.trainSamplesPerSecond(), r.eval().samplesPerSecond(), best ? " | best so far" : "");
            out.printf(Locale.ROOT, "  %-12s %9s %9s %9s %9s%n", "class", "precision", "recall", "f1", "support");
            for (ClassScores s : r.eval().confusion().perClass()) {
                out.printf(Locale.ROOT, "  %-12s %9.4f %9.4f %9.4f %9d%n", s.label(), s.precision(), s.recall(), s.f1(), s.support());
            }
            out.println("  confusion matrix (rows: true, columns: predicted):");
            for (String line : r.eval().confusion().format().split("\n")) {
                out.println("  " + line);
            }
            out.flush();
        }
    }
}
