package dev.sentiflow.modeldata.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Per-output-channel int8: each weight within half its row's step, stored transposed, zero rows exact. */
class PerChannelInt8Test {

    @Test
    void everyWeightIsWithinHalfAStepOfItsRowsScale() {
        int out = 5;
        int in = 7;
        float[] w = new float[out * in];
        Random random = new Random(3);
        for (int i = 0; i < w.length; i++) {
            // rows of very different ranges: a per-tensor scale would flatten the small ones to zero
            w[i] = (float) random.nextGaussian() * (float) Math.pow(10, -(i / in));
        }
        PerChannelInt8 q = PerChannelInt8.of(w, out, in);
        float[] back = q.dequantized();
        for (int o = 0; o < out; o++) {
            float largest = 0;
            for (int i = 0; i < in; i++) {
                largest = Math.max(largest, Math.abs(w[o * in + i]));
            }
            assertEquals(largest / 127f, q.scales()[o], 1e-12f);
            for (int i = 0; i < in; i++) {
                assertTrue(Math.abs(back[o * in + i] - w[o * in + i]) <= q.scales()[o] / 2 + 1e-9f,
                        "row " + o + " column " + i);
            }
        }
        // transposed: element (i, o) of the stored [in, out] matrix is weight (o, i)
        assertEquals(Math.round(w[2 * in + 4] / q.scales()[2]), q.values()[4 * out + 2]);
    }

    @Test
    void aZeroRowStaysZeroAndTheLargestWeightIs127() {
        float[] w = {0, 0, 0, 1, -2, 0.5f};
        PerChannelInt8 q = PerChannelInt8.of(w, 2, 3);
        assertArrayEquals(new float[] {0, 0, 0, 1, -2, 0.5f}, q.dequantized(), 2f / 127 / 2);
        assertEquals(-127, q.values()[1 * 2 + 1]);
        assertEquals(0, q.values()[0]);
        assertThrows(IllegalArgumentException.class, () -> PerChannelInt8.of(new float[5], 2, 3));
    }
}
