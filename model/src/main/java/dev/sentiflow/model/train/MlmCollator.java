package dev.sentiflow.model.train;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * BERT's masked-language-model corruption, as Hugging Face's
 * {@code DataCollatorForLanguageModeling}: each non-special, non-padding token is chosen with
 * probability 0.15; a chosen token becomes [MASK] with probability 0.8, a random vocabulary token
 * with 0.1, and stays as it is with 0.1. The label is the original id at chosen positions and
 * -100 (ignored by the loss) everywhere else. Special tokens are never chosen.
 */
public final class MlmCollator {

    /** Label value the MLM loss ignores (PyTorch's cross-entropy default). */
    public static final int IGNORE_INDEX = -100;

    private final double maskProbability;
    private final int maskId;
    private final int padId;
    private final int vocabSize;
    private final IntPredicate isSpecial;
    private final Random random;

    public MlmCollator(double maskProbability, int maskId, int padId, int vocabSize, IntPredicate isSpecial, long seed) {
        if (!(maskProbability > 0 && maskProbability < 1)) {
            throw new IllegalArgumentException("mask probability must be in (0, 1), got " + maskProbability);
        }
        this.maskProbability = maskProbability;
        this.maskId = maskId;
        this.padId = padId;
        this.vocabSize = vocabSize;
        this.isSpecial = isSpecial;
        this.random = new Random(seed);
    }

    /** The standard recipe: 15% of tokens. */
    public static MlmCollator standard(int maskId, int padId, int vocabSize, IntPredicate isSpecial, long seed) {
        return new MlmCollator(0.15, maskId, padId, vocabSize, isSpecial, seed);
    }

    /**
     * Corrupts and pads a batch of unlabeled token sequences. Labels are per token ([B,S]),
     * -100 where nothing was chosen or where there is padding.
     */
    public PaddedBatch collate(List<int[]> sequences) {
        int columns = 0;
        for (int[] tokens : sequences) {
            columns = Math.max(columns, tokens.length);
        }
        int rows = sequences.size();
        long[] ids = new long[rows * columns];
        long[] mask = new long[rows * columns];
        long[] labels = new long[rows * columns];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, IGNORE_INDEX);
        for (int r = 0; r < rows; r++) {
            int[] tokens = sequences.get(r);
            for (int c = 0; c < tokens.length; c++) {
                int at = r * columns + c;
                int token = tokens[c];
                mask[at] = 1;
                ids[at] = token;
                if (token == padId || isSpecial.test(token) || random.nextDouble() >= maskProbability) {
                    continue;
                }
                labels[at] = token;
                double roll = random.nextDouble();
                if (roll < 0.8) {
                    ids[at] = maskId;
                } else if (roll < 0.9) {
                    ids[at] = random.nextInt(vocabSize);
                }
            }
        }
        return new PaddedBatch(ids, mask, labels, rows, columns);
    }
}
