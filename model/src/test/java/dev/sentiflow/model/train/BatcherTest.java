package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatcherTest {

    private static List<EncodedExample> examples(int n) {
        List<EncodedExample> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] tokens = new int[2 + i % 5];
            Arrays.fill(tokens, 100 + i);
            list.add(new EncodedExample(tokens, i % 2));
        }
        return list;
    }

    @Test
    void padsToTheLongestInTheBatchWithMask() {
        List<EncodedExample> list = List.of(
                new EncodedExample(new int[] {101, 7, 102}, 1),
                new EncodedExample(new int[] {101, 102}, 0));
        Batcher batcher = new Batcher(list, 2, 0);
        PaddedBatch batch = batcher.batch(new int[] {0, 1});
        assertEquals(2, batch.rows());
        assertEquals(3, batch.columns());
        assertArrayEquals(new long[] {101, 7, 102, 101, 102, 0}, batch.inputIds());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0}, batch.attentionMask());
        assertArrayEquals(new long[] {1, 0}, batch.labels());
        assertEquals(5, batch.realTokens());
    }

    @Test
    void shuffleIsAPermutationReproducibleFromSeedAndDifferentPerEpoch() {
        Batcher batcher = new Batcher(examples(37), 8, 0);
        List<int[]> a = batcher.shuffledEpoch(42, 0);
        List<int[]> again = batcher.shuffledEpoch(42, 0);
        List<int[]> next = batcher.shuffledEpoch(42, 1);
        assertEquals(5, a.size());
        assertEquals(5, a.get(4).length);
        int[] flat = a.stream().flatMapToInt(Arrays::stream).toArray();
        int[] sorted = flat.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 37; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(flat, again.stream().flatMapToInt(Arrays::stream).toArray());
        assertNotEquals(Arrays.toString(flat), Arrays.toString(next.stream().flatMapToInt(Arrays::stream).toArray()));
    }

    @Test
    void lengthSortedGroupsSimilarLengths() {
        Batcher batcher = new Batcher(examples(20), 4, 0);
        List<int[]> batches = batcher.lengthSorted();
        assertEquals(6, batcher.batch(batches.get(0)).columns());
        assertEquals(2, batcher.batch(batches.get(4)).columns());
    }
}
