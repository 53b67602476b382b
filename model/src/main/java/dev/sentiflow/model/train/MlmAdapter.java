package dev.sentiflow.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Domain adaptation before the task, as the notebooks' "continue pre-training" step: masked
 * language modelling on unlabeled in-domain text with the same recipe as fine-tuning (AdamW,
 * warm-up, clipping), on a model that maps {@code NDList(inputIds, attentionMask)} to token
 * logits [B,S,V] (a {@code MaskedLanguageModel} sharing the encoder that is fine-tuned next).
 *
 * <p>When held-out texts are given, their MLM loss is measured before and after with the same
 * fixed masks, so the report shows whether the adaptation helped.
 */
public final class MlmAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MlmAdapter.class);
    private static final long HELD_OUT_MASK_SEED = 0x5EED;

    private final TrainingConfig config;
    private final int maskId;
    private final int padId;
    private final int vocabSize;
    private final IntPredicate isSpecial;

    public MlmAdapter(TrainingConfig config, int maskId, int padId, int vocabSize, IntPredicate isSpecial) {
        this.config = config;
        this.maskId = maskId;
        this.padId = padId;
        this.vocabSize = vocabSize;
        this.isSpecial = isSpecial;
    }

    /**
     * Adapts {@code model} in place.
     *
     * @param texts unlabeled token sequences ([CLS] … [SEP])
     * @param heldOut sequences to measure MLM loss on before and after (may be empty)
     */
    public MlmResult run(Block model, Map<String, Parameter> namedParameters, NDManager manager, List<int[]> texts,
            List<int[]> heldOut) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("MLM adaptation needs unlabeled texts, got none");
        }
        Engine.getInstance().setRandomSeed((int) config.seed());
        double before = heldOut.isEmpty() ? Double.NaN : heldOutLoss(model, manager, heldOut);
        MlmCollator collator = MlmCollator.standard(maskId, padId, vocabSize, isSpecial, config.seed());
        List<Double> stepLosses = new ArrayList<>();
        List<Double> epochLosses = new ArrayList<>();
        long start = System.nanoTime();
        int batchesPerEpoch = (texts.size() + config.batchSize() - 1) / config.batchSize();
        try (OptimizationLoop loop = new OptimizationLoop(model, namedParameters, manager, config, config.totalSteps(texts.size()))) {
            LOG.info("MLM adaptation: {} texts, {} epochs, {} steps, peak lr {}, {} trainable weights",
                    texts.size(), config.epochs(), loop.totalSteps(), config.learningRate(), loop.trainableWeights());
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < texts.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, new Random(config.seed() * 0x9E3779B97F4A7C15L + epoch - 1));
                double sum = 0;
                int micro = 0;
                double stepSum = 0;
                for (int b = 0; b < batchesPerEpoch; b++) {
                    List<int[]> sequences = new ArrayList<>();
                    for (int i = b * config.batchSize(); i < Math.min(texts.size(), (b + 1) * config.batchSize()); i++) {
                        sequences.add(texts.get(order.get(i)));
                    }
                    double loss = loop.forwardBackward(collator.collate(sequences), CrossEntropy::meanIgnoring);
                    sum += loss;
                    stepSum += loss;
                    micro++;
                    if (micro == config.gradientAccumulation() || b == batchesPerEpoch - 1) {
                        loop.step();
                        stepLosses.add(stepSum / micro);
                        micro = 0;
                        stepSum = 0;
                    }
                }
                epochLosses.add(sum / batchesPerEpoch);
                LOG.info("MLM epoch {}: loss {}", epoch, String.format(java.util.Locale.ROOT, "%.4f", sum / batchesPerEpoch));
            }
        }
        double rate = (double) texts.size() * config.epochs() / ((System.nanoTime() - start) / 1e9);
        double after = heldOut.isEmpty() ? Double.NaN : heldOutLoss(model, manager, heldOut);
        if (!heldOut.isEmpty()) {
            LOG.info("MLM held-out loss {} → {} (perplexity {} → {})",
                    String.format(java.util.Locale.ROOT, "%.4f", before), String.format(java.util.Locale.ROOT, "%.4f", after),
                    String.format(java.util.Locale.ROOT, "%.1f", Math.exp(before)), String.format(java.util.Locale.ROOT, "%.1f", Math.exp(after)));
        }
        return new MlmResult(stepLosses, epochLosses, before, after, rate);
    }

    /** Mean MLM loss over held-out texts with masks fixed by a constant seed (comparable across calls). */
    public double heldOutLoss(Block model, NDManager manager, List<int[]> heldOut) {
        MlmCollator fixed = MlmCollator.standard(maskId, padId, vocabSize, isSpecial, HELD_OUT_MASK_SEED);
        ParameterStore ps = new ParameterStore(manager, false);
        double sum = 0;
        int batches = 0;
        for (int start = 0; start < heldOut.size(); start += config.batchSize()) {
            PaddedBatch batch = fixed.collate(heldOut.subList(start, Math.min(heldOut.size(), start + config.batchSize())));
            try (NDManager scope = manager.newSubManager()) {
                NDArray logits = model.forward(ps, batch.inputs(scope), false).singletonOrThrow();
                sum += CrossEntropy.meanIgnoring(logits, batch.labels(scope)).getFloat();
                batches++;
            }
        }
        return sum / batches;
    }
}
