package dev.sentiflow.model.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Cuts examples into batches padded only to the longest sequence in each batch (dynamic
 * padding, as Hugging Face's {@code DataCollatorWithPadding}): short texts then cost short
 * matrices. Training order is shuffled per epoch from the seed alone, so a run is
 * reproducible; evaluation order is sorted by length, which wastes the least padding and does
 * not change any metric.
 */
public final class Batcher {

    private final List<EncodedExample> examples;
    private final int batchSize;
    private final int padId;

    public Batcher(List<EncodedExample> examples, int batchSize, int padId) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to batch");
        }
        this.examples = List.copyOf(examples);
        this.batchSize = batchSize;
        this.padId = padId;
    }

    public int size() {
        return examples.size();
    }

    public int batchesPerEpoch() {
        return (examples.size() + batchSize - 1) / batchSize;
    }

    /** Example indices for one training epoch, shuffled by a generator seeded from (seed, epoch). */
    public List<int[]> shuffledEpoch(long seed, int epoch) {
        List<Integer> order = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 0x9E3779B97F4A7C15L + epoch));
        return chunk(order);
    }

    /** Example indices grouped by length (longest first), for evaluation and inference. */
    public List<int[]> lengthSorted() {
        List<Integer> order = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> examples.get(i).length()).reversed());
        return chunk(order);
    }

    private List<int[]> chunk(List<Integer> order) {
        List<int[]> batches = new ArrayList<>(batchesPerEpoch());
        for (int start = 0; start < order.size(); start += batchSize) {
            int end = Math.min(order.size(), start + batchSize);
            batches.add(order.subList(start, end).stream().mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }

    public EncodedExample example(int index) {
        return examples.get(index);
    }

    /** Pads the given examples into one classification batch. */
    public PaddedBatch batch(int[] indices) {
        int columns = 0;
        for (int i : indices) {
            columns = Math.max(columns, examples.get(i).length());
        }
        int rows = indices.length;
        long[] ids = new long[rows * columns];
        long[] mask = new long[rows * columns];
        long[] labels = new long[rows];
        Arrays.fill(ids, padId);
        for (int r = 0; r < rows; r++) {
            EncodedExample example = examples.get(indices[r]);
            int[] tokens = example.tokenIds();
            for (int c = 0; c < tokens.length; c++) {
                ids[r * columns + c] = tokens[c];
                mask[r * columns + c] = 1;
            }
            labels[r] = example.label();
        }
        return new PaddedBatch(ids, mask, labels, rows, columns);
    }
}
