package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MlmCollatorTest {

    private static final int PAD = 0;
    private static final int CLS = 101;
    private static final int SEP = 102;
    private static final int MASK = 103;
    private static final int VOCAB = 30522;

    @Test
    void masksFifteenPercentWithTheEightyTenTenSplit() {
        MlmCollator collator = MlmCollator.standard(MASK, PAD, VOCAB, t -> t == CLS || t == SEP || t == PAD || t == MASK, 42);
        List<int[]> sequences = new ArrayList<>();
        for (int s = 0; s < 400; s++) {
            int length = 20 + s % 60;
            int[] tokens = new int[length];
            tokens[0] = CLS;
            tokens[length - 1] = SEP;
            for (int i = 1; i < length - 1; i++) {
                tokens[i] = 2000 + (s * 31 + i * 7) % 20000;
            }
            sequences.add(tokens);
        }
        PaddedBatch batch = collator.collate(sequences);
        long eligible = 0;
        long chosen = 0;
        long masked = 0;
        long randomised = 0;
        long kept = 0;
        for (int r = 0; r < batch.rows(); r++) {
            int[] original = sequences.get(r);
            for (int c = 0; c < batch.columns(); c++) {
                int at = r * batch.columns() + c;
                long label = batch.labels()[at];
                if (c >= original.length) {
                    assertEquals(PAD, batch.inputIds()[at]);
                    assertEquals(MlmCollator.IGNORE_INDEX, label);
                    assertEquals(0, batch.attentionMask()[at]);
                    continue;
                }
                int token = original[c];
                if (token == CLS || token == SEP) {
                    assertEquals(token, batch.inputIds()[at], "special tokens are never changed");
                    assertEquals(MlmCollator.IGNORE_INDEX, label);
                    continue;
                }
                eligible++;
                if (label == MlmCollator.IGNORE_INDEX) {
                    assertEquals(token, batch.inputIds()[at]);
                    continue;
                }
                chosen++;
                assertEquals(token, label);
                long input = batch.inputIds()[at];
                if (input == MASK) {
                    masked++;
                } else if (input == token) {
                    kept++;
                } else {
                    randomised++;
                }
            }
        }
        double chosenRate = (double) chosen / eligible;
        assertTrue(eligible > 15000, "eligible " + eligible);
        assertTrue(Math.abs(chosenRate - 0.15) < 0.01, "chosen rate " + chosenRate);
        assertTrue(Math.abs((double) masked / chosen - 0.8) < 0.02, "mask share " + (double) masked / chosen);
        assertTrue(Math.abs((double) randomised / chosen - 0.1) < 0.02, "random share " + (double) randomised / chosen);
        assertTrue(Math.abs((double) kept / chosen - 0.1) < 0.02, "kept share " + (double) kept / chosen);
    }

    @Test
    void sameSeedSameMask() {
        List<int[]> sequences = List.of(new int[] {CLS, 5000, 5001, 5002, 5003, 5004, 5005, 5006, SEP});
        PaddedBatch a = MlmCollator.standard(MASK, PAD, VOCAB, t -> t == CLS || t == SEP, 7).collate(sequences);
        PaddedBatch b = MlmCollator.standard(MASK, PAD, VOCAB, t -> t == CLS || t == SEP, 7).collate(sequences);
        assertEquals(java.util.Arrays.toString(a.inputIds()), java.util.Arrays.toString(b.inputIds()));
        assertEquals(java.util.Arrays.toString(a.labels()), java.util.Arrays.toString(b.labels()));
    }
}
