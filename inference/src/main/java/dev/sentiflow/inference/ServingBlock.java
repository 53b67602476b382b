package dev.sentiflow.inference;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.model.checkpoint.ModelIdentity;
import dev.sentiflow.model.device.Devices;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.util.List;
import java.util.Optional;

/**
 * The one serving block of an inference process, as the configuration describes it: the base encoder
 * loaded once with the serving LoRA config and a head (the reference checkpoints are verified
 * against), the identity every checkpoint must match, the factory of served versions (which scores
 * them through ONNX Runtime on a graph written from this block), and the base's tokenizer. Shared by
 * the app, {@code evaluate} and {@code predict --models}, so all accept exactly the same checkpoints.
 *
 * @param maxLength the serving identity's token limit (the configured one, capped by the base's positions)
 */
record ServingBlock(NDManager manager, ModelIdentity identity, ServedVersions versions, TextTokenizer tokenizer,
        int vocabSize, int maxLength) implements AutoCloseable {

    static ServingBlock load(InferenceConfig config) {
        NDManager manager = NDManager.newBaseManager(Devices.preferred());
        try {
            List<String> labels = config.labels();
            try (BaseModel base = BaseModels.load(manager, config.getString(InferenceConfig.BASE_MODEL))) {
                int maxLength = Math.min(config.getInt(InferenceConfig.MAX_LENGTH), base.config().maxPositions());
                TextTokenizer tokenizer = base.openTokenizer(maxLength);
                ModelIdentity identity = new ModelIdentity(base.baseHash(), Optional.of(config.loraConfig()), labels,
                        tokenizer.id(), maxLength);
                // A fixed seed: the untrained head of version 0 (base-head) is the same after every restart.
                SequenceClassifier block = Classifiers.create(manager, base, labels.size(),
                        Optional.of(config.loraConfig()), 0L);
                ServedVersions versions = new ServedVersions(block, manager, identity, config.precision(),
                        config.getInt(InferenceConfig.INTRA_OP_THREADS));
                return new ServingBlock(manager, identity, versions, tokenizer, base.config().vocabSize(), maxLength);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public int padId() {
        return tokenizer.padId();
    }

    /** Scores through {@link #versions}' graphs, at most {@code maxRows} rows per run. */
    public OnnxScorer scorer(int maxRows) {
        return new OnnxScorer(padId(), maxRows);
    }

    @Override
    public void close() {
        versions.close();
        tokenizer.close();
        manager.close();
    }
}
