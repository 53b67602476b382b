package dev.sentiflow.model.train;

/**
 * The fine-tuning recipe. Defaults are the reference notebook's: AdamW with weight decay 0.01,
 * linear schedule with 10% warm-up, 3 epochs of batch 16 at max length 128, global-norm
 * clipping at 1.0, seed 42, best epoch chosen by eval loss. The learning rate depends on the
 * mode (2e-5 full, 5e-4 LoRA) unless set.
 *
 * @param mode which weights are trained
 * @param learningRate peak learning rate after warm-up
 * @param weightDecay decoupled weight decay (not applied to biases and LayerNorm)
 * @param warmupRatio fraction of all optimizer steps spent warming up, in [0, 1)
 * @param epochs passes over the training set
 * @param batchSize examples per forward pass
 * @param maxLength token limit per text, special tokens included
 * @param maxGradNorm global gradient-norm clip; 0 disables clipping
 * @param gradientAccumulation forward passes per optimizer step
 * @param seed seeds initialisation, dropout and shuffling
 * @param earlyStoppingPatience epochs without eval-loss improvement before stopping; 0 = never stop early
 */
public record TrainingConfig(
        TrainingMode mode,
        double learningRate,
        double weightDecay,
        double warmupRatio,
        int epochs,
        int batchSize,
        int maxLength,
        double maxGradNorm,
        int gradientAccumulation,
        long seed,
        int earlyStoppingPatience) {

    public static final double FULL_LEARNING_RATE = 2e-5;
    public static final double LORA_LEARNING_RATE = 5e-4;

    public TrainingConfig {
        if (mode == null) {
            throw new IllegalArgumentException("mode must be set (lora or full)");
        }
        check(learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate, "must be a positive number");
        check(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, "must be >= 0");
        check(warmupRatio >= 0 && warmupRatio < 1, "warmupRatio", warmupRatio, "must be in [0, 1)");
        check(epochs >= 1, "epochs", epochs, "must be >= 1");
        check(batchSize >= 1, "batchSize", batchSize, "must be >= 1");
        check(maxLength >= 3, "maxLength", maxLength, "must be >= 3 ([CLS], one token, [SEP])");
        check(maxLength <= 512, "maxLength", maxLength, "must be <= 512 (BERT position embeddings)");
        check(maxGradNorm >= 0 && Double.isFinite(maxGradNorm), "maxGradNorm", maxGradNorm, "must be >= 0 (0 disables clipping)");
        check(gradientAccumulation >= 1, "gradientAccumulation", gradientAccumulation, "must be >= 1");
        check(earlyStoppingPatience >= 0, "earlyStoppingPatience", earlyStoppingPatience, "must be >= 0 (0 disables early stopping)");
    }

    private static void check(boolean ok, String field, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("training config " + field + "=" + value + " is invalid: " + rule);
        }
    }

    /** The notebook recipe for a mode. */
    public static TrainingConfig defaults(TrainingMode mode) {
        double lr = mode == TrainingMode.LORA ? LORA_LEARNING_RATE : FULL_LEARNING_RATE;
        return new TrainingConfig(mode, lr, 0.01, 0.1, 3, 16, 128, 1.0, 1, 42L, 0);
    }

    public TrainingConfig withLearningRate(double value) {
        return new TrainingConfig(mode, value, weightDecay, warmupRatio, epochs, batchSize, maxLength, maxGradNorm, gradientAccumulation, seed, earlyStoppingPatience);
    }

    public TrainingConfig withWeightDecay(double value) {
        return new TrainingConfig(mode, learningRate, value, warmupRatio, epochs, batchSize, maxLength, maxGradNorm, gradientAccumulation, seed, earlyStoppingPatience);
    }

    public TrainingConfig withWarmupRatio(double value) {
        return new TrainingConfig(mode, learningRate, weightDecay, value, epochs, batchSize, maxLength, maxGradNorm, gradientAccumulation, seed, earlyStoppingPatience);
    }

    public TrainingConfig withEpochs(int value) {
        return new TrainingConfig(mode, learningRate, weightDecay, warmupRatio, value, batchSize, maxLength, maxGradNorm, gradientAccumulation, seed, earlyStoppingPatience);
    }

    public TrainingConfig withBatchSize(int value) {
        return new TrainingConfig(mode, learningRate, weightDecay, warmupRatio, epochs, value, maxLength, maxGradNorm, gradientAccumulation, seed, earlyStoppingPatience);
    }

    public TrainingConfig withMaxLength(int value) {
        return new TrainingConfig(mode, learningRate, weightDecay, warmupRatio, epochs, batchSize, value, maxGradNorm, gradientAccumulation, seed, earlyStoppingPatience);
    }

    public TrainingConfig withMaxGradNorm(double value) {
        return new TrainingConfig(mode, learningRate, weightDecay, warmupRatio, epochs, batchSize, maxLength, value, gradientAccumulation, seed, earlyStoppingPatience);
    }

    public TrainingConfig withGradientAccumulation(int value) {
        return new TrainingConfig(mode, learningRate, weightDecay, warmupRatio, epochs, batchSize, maxLength, maxGradNorm, value, seed, earlyStoppingPatience);
    }

    public TrainingConfig withSeed(long value) {
        return new TrainingConfig(mode, learningRate, weightDecay, warmupRatio, epochs, batchSize, maxLength, maxGradNorm, gradientAccumulation, value, earlyStoppingPatience);
    }

    public TrainingConfig withEarlyStoppingPatience(int value) {
        return new TrainingConfig(mode, learningRate, weightDecay, warmupRatio, epochs, batchSize, maxLength, maxGradNorm, gradientAccumulation, seed, value);
    }

    /** Optimizer steps in one epoch of {@code trainingExamples}. */
    public int stepsPerEpoch(int trainingExamples) {
        int batches = (trainingExamples + batchSize - 1) / batchSize;
        return Math.max(1, (batches + gradientAccumulation - 1) / gradientAccumulation);
    }

    /** Optimizer steps of the whole run. */
    public int totalSteps(int trainingExamples) {
        return stepsPerEpoch(trainingExamples) * epochs;
    }

    /** Warm-up steps as Hugging Face computes them: ceil(total · ratio). */
    public int warmupSteps(int trainingExamples) {
        return (int) Math.ceil(totalSteps(trainingExamples) * warmupRatio);
    }
}
