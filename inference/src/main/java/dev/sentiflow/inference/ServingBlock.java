package dev.sentiflow.inference;

import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.models.ServingWeights;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.onnx.ParallelRuns;
import dev.sentiflow.modeldata.checkpoint.ClassifierLayout;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.util.List;
import java.util.Optional;

/**
 * The one serving block of an inference process, as the configuration describes it: the base's
 * weights read once, laid out as a classifier with the serving LoRA config (the layout checkpoints
 * are verified against), the identity every checkpoint must match, the factory of served versions
 * (which scores them through ONNX Runtime on a graph written from these weights), and the base's
 * tokenizer. Shared by the app, {@code evaluate} and {@code predict --models}, so all accept
 * exactly the same checkpoints. No DJL: the base is read as plain tensors.
 *
 * @param maxLength the serving identity's token limit (the configured one, capped by the base's positions)
 * @param parallel how many runs of one batch its scorers score at once
 */
record ServingBlock(ModelIdentity identity, ServedVersions versions, TextTokenizer tokenizer, int vocabSize,
        int maxLength, ParallelRuns parallel) implements AutoCloseable {

    /** The seed of version 0's untrained head: the same head after every restart. */
    private static final long HEAD_SEED = 0L;

    static ServingBlock load(InferenceConfig config) {
        List<String> labels = config.labels();
        BaseWeights base = BaseWeights.load(config.getString(InferenceConfig.BASE_MODEL));
        int maxLength = Math.min(config.getInt(InferenceConfig.MAX_LENGTH), base.config().maxPositions());
        TextTokenizer tokenizer = base.openTokenizer(maxLength);
        try {
            ModelIdentity identity = new ModelIdentity(base.baseHash(), Optional.of(config.loraConfig()), labels,
                    tokenizer.id(), maxLength);
            var weights = ServingWeights.of(base,
                    ClassifierLayout.of(base.config(), Optional.of(config.loraConfig()), labels.size()), HEAD_SEED);
            ServedVersions versions = new ServedVersions(base.config(), weights, identity, config.precision(),
                    config.sessionThreads());
            // Opened now, not at the first checkpoint: a session that cannot open stops the service at
            // start, and the first hot swap does not wait seconds for it.
            versions.openSharedSession();
            return new ServingBlock(identity, versions, tokenizer, base.config().vocabSize(), maxLength,
                    new ParallelRuns(config.parallelRuns(), config.getInt(InferenceConfig.STREAM_THREADS)));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public int padId() {
        return tokenizer.padId();
    }

    /** Scores through {@link #versions}' graphs, at most {@code maxRows} rows per run. */
    public OnnxScorer scorer(int maxRows) {
        return new OnnxScorer(padId(), maxRows, OnnxScorer.MAX_PADDING, parallel);
    }

    @Override
    public void close() {
        parallel.close();
        versions.close();
        tokenizer.close();
    }
}
