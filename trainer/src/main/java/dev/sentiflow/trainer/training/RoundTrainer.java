package dev.sentiflow.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.checkpoint.Checkpoint;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.MaskedLanguageModel;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.infer.ClassifierScorer;
import dev.sentiflow.model.train.EncodedExample;
import dev.sentiflow.model.train.FineTuneListener;
import dev.sentiflow.model.train.FineTuneResult;
import dev.sentiflow.model.train.FineTuner;
import dev.sentiflow.model.train.MlmAdapter;
import dev.sentiflow.model.train.MlmResult;
import dev.sentiflow.model.train.TrainingConfig;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.metrics.Scored;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.trainer.intake.ExampleIntake.RoundInput;
import dev.sentiflow.trainer.intake.LabeledExample;
import dev.sentiflow.trainer.round.RoundScores;
import dev.sentiflow.trainer.round.ScoredExample;
import dev.sentiflow.trainer.sample.ClassBalance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training round on the model core: a candidate from the base (or from the champion), optional
 * MLM domain adaptation on the unlabeled text first (the notebook's order), the fine-tune recipe on
 * window + replay with per-epoch evaluation and the best epoch kept, then candidate and champion
 * scored on the same evaluation set, per domain, for the gate. Every native array of the round lives
 * in one sub-manager closed when the round ends, so rounds do not accumulate memory.
 */
public final class RoundTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(RoundTrainer.class);

    /** What every round of one model shares: the base, the tokenizer, the labels, the recipe. */
    public record Setup(BaseModel base, TextTokenizer tokenizer, List<String> labels, TrainingConfig training,
            Optional<LoraConfig> lora, int mlmEpochs, boolean balanceClasses) {

        /** What a checkpoint of this setup is, and what a champion must be to be trained on or compared. */
        public ModelIdentity identity() {
            return new ModelIdentity(base.baseHash(), lora, labels, tokenizer.id(), training.maxLength());
        }
    }

    /** The round's result; {@code checkpoint} is the candidate as safetensors checkpoint bytes. */
    public record Outcome(RoundScores candidate, Optional<RoundScores> champion, FineTuneResult fineTune,
            Optional<MlmResult> mlm, byte[] checkpoint, int trainExamples, double trainSeconds) {

        public double trainSamplesPerSecond() {
            return fineTune.epochs().stream().mapToDouble(e -> e.trainSamplesPerSecond()).average().orElse(0);
        }
    }

    private final Setup setup;
    private final NDManager manager;
    private final java.time.Duration timeBudget;

    /** @param manager parent of each round's sub-manager (on the device models run on) */
    public RoundTrainer(Setup setup, NDManager manager) {
        this(setup, manager, null);
    }

    /**
     * @param timeBudget a round's fine-tune stops after the epoch in which this passed, keeping its best
     *     epoch so far (the gate then judges it as any candidate); null for no bound
     */
    public RoundTrainer(Setup setup, NDManager manager, java.time.Duration timeBudget) {
        this.setup = setup;
        this.manager = manager;
        this.timeBudget = timeBudget;
    }

    public Setup setup() {
        return setup;
    }

    /**
     * @param champion the serving version's checkpoint bytes, if any
     * @param fromChampion start the candidate from the champion's weights instead of the base
     * @param seed seeds initialisation, dropout and shuffling (vary it per round)
     */
    public Outcome run(RoundInput input, Optional<byte[]> champion, boolean fromChampion, long seed,
            FineTuneListener listener) {
        List<LabeledExample> training = setup.balanceClasses()
                ? ClassBalance.downsample(input.training(), e -> setup.labels().get(e.label()), seed)
                : input.training();
        List<EncodedExample> train = encoded(training);
        List<EncodedExample> eval = encoded(input.eval());
        if (train.isEmpty() || eval.isEmpty()) {
            throw new IllegalArgumentException("a round needs training and evaluation examples, got " + train.size()
                    + " and " + eval.size());
        }
        TrainingConfig config = setup.training().withSeed(seed);
        ModelIdentity identity = setup.identity();
        try (NDManager round = manager.newSubManager()) {
            Optional<Checkpoint> championCheckpoint = champion.map(bytes -> {
                Checkpoint cp = CheckpointCodec.decode(round, bytes, "champion");
                identity.check(cp.metadata(), "champion");
                return cp;
            });
            Optional<RoundScores> championScores = championCheckpoint.map(cp -> {
                SequenceClassifier model = classifier(round, seed);
                CheckpointCodec.apply(cp, model, identity, "champion");
                return score(model, round, input.eval());
            });
            SequenceClassifier candidate = classifier(round, seed);
            if (fromChampion && championCheckpoint.isPresent()) {
                CheckpointCodec.apply(championCheckpoint.get(), candidate, identity, "champion");
            }
            Map<String, Parameter> named = candidate.namedParameters();
            Optional<MlmResult> mlm = adapt(round, candidate, config, input, eval);
            long start = System.nanoTime();
            FineTuneResult result = new FineTuner(config).progressBar(false).listener(listener).timeBudget(timeBudget)
                    .run(candidate, named, round, train, eval, setup.labels(), setup.tokenizer().padId());
            double seconds = (System.nanoTime() - start) / 1e9;
            RoundScores candidateScores = score(candidate, round, input.eval());
            CheckpointKind kind = setup.lora().isPresent() ? CheckpointKind.ADAPTER : CheckpointKind.FULL;
            byte[] bytes = CheckpointCodec.encode(candidate, new CheckpointMetadata(kind, identity.baseHash(),
                    setup.lora(), setup.labels(), identity.tokenizerId(), identity.maxLength()));
            return new Outcome(candidateScores, championScores, result, mlm, bytes, train.size(), seconds);
        }
    }

    private SequenceClassifier classifier(NDManager round, long seed) {
        return Classifiers.create(round, setup.base(), setup.labels().size(), setup.lora(), seed);
    }

    private Optional<MlmResult> adapt(NDManager round, SequenceClassifier candidate, TrainingConfig config,
            RoundInput input, List<EncodedExample> eval) {
        if (setup.mlmEpochs() == 0 || input.unlabeled().isEmpty()) {
            return Optional.empty();
        }
        TextTokenizer tokenizer = setup.tokenizer();
        MaskedLanguageModel mlm = Classifiers.maskedLmOn(round, candidate, setup.base(), config.seed());
        List<int[]> texts = new ArrayList<>(input.unlabeled());
        texts.addAll(LabeledExample.tokens(input.training()));
        MlmResult result = new MlmAdapter(config.withEpochs(setup.mlmEpochs()), tokenizer.maskId(), tokenizer.padId(),
                tokenizer.vocabSize(), tokenizer::isSpecial).run(mlm, mlm.namedParameters(), round, texts,
                eval.stream().map(EncodedExample::tokenIds).toList());
        LOG.info("MLM adaptation on {} texts: held-out masked-token loss {} -> {}", texts.size(),
                String.format("%.4f", result.heldOutLossBefore()), String.format("%.4f", result.heldOutLossAfter()));
        return Optional.of(result);
    }

    private RoundScores score(SequenceClassifier model, NDManager round, List<LabeledExample> eval) {
        List<Scored> scored = new ClassifierScorer(model, round, setup.tokenizer().padId(),
                setup.training().batchSize() * 2).score(LabeledExample.tokens(eval));
        List<ScoredExample> examples = new ArrayList<>(eval.size());
        for (int i = 0; i < eval.size(); i++) {
            examples.add(new ScoredExample(eval.get(i).domain(), eval.get(i).label(), scored.get(i).predicted()));
        }
        return RoundScores.of(setup.labels(), examples);
    }

    private static List<EncodedExample> encoded(List<LabeledExample> examples) {
        return examples.stream().map(e -> new EncodedExample(e.tokenIds(), e.label())).toList();
    }
}
