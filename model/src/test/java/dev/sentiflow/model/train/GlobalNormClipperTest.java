package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalNormClipperTest {

    @Test
    void scalesAllGradientsByOneGlobalFactor() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f, 0f});
            NDArray b = manager.create(new float[] {0f, 4f, 0f});
            double norm = GlobalNormClipper.clip(List.of(a, b), 1.0);
            assertEquals(5.0, norm, 1e-6);
            double k = 1.0 / (5.0 + 1e-6);
            assertArrayEquals(new float[] {(float) (3 * k), 0f}, a.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0f, (float) (4 * k), 0f}, b.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void leavesSmallGradientsAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {0.3f, 0.4f});
            assertEquals(0.5, GlobalNormClipper.clip(List.of(a), 1.0), 1e-6);
            assertArrayEquals(new float[] {0.3f, 0.4f}, a.toFloatArray());
        }
    }

    @Test
    void nonFiniteNormIsReturnedAndNothingIsScaled() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {Float.NaN, 1f});
            NDArray b = manager.create(new float[] {30f, 40f});
            assertTrue(Double.isNaN(GlobalNormClipper.clip(List.of(a, b), 1.0)));
            assertArrayEquals(new float[] {30f, 40f}, b.toFloatArray());
        }
    }
}
