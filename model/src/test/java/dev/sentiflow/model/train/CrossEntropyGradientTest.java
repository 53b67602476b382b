package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The losses' gradients are (softmax − one-hot) / N even when the JVM collects garbage between
 * forward and backward. A loss written with a Java-number operand that autograd saves (e.g.
 * {@code loss.div(2)}) fails this: DJL frees that scalar's direct buffer after the op, and the
 * memory refilled with NaN below is what backward then reads.
 */
class CrossEntropyGradientTest {

    private static final float[][] LOGITS = {{2f, 0f, -1f}, {0.5f, 1f, 0f}};
    private static final long[] LABELS = {0, 2};

    @Test
    void meanGradientSurvivesGarbageCollectionBetweenForwardAndBackward() {
        assertGradient(CrossEntropy::mean, LABELS, 2);
    }

    @Test
    void maskedMeanGradientSurvivesGarbageCollectionAndIgnoresMinus100() {
        long[] labels = {0, 2, MlmCollator.IGNORE_INDEX};
        float[][] logits = {LOGITS[0], LOGITS[1], {9f, -9f, 0f}};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(logits);
            x.setRequiresGradient(true);
            backwardUnderGc(x, manager.create(labels), CrossEntropy::meanIgnoring);
            float[] grad = x.getGradient().toFloatArray();
            float[] expected = expected(2);
            float[] firstTwoRows = new float[6];
            System.arraycopy(grad, 0, firstTwoRows, 0, 6);
            assertArrayEquals(expected, firstTwoRows, 1e-6f);
            assertArrayEquals(new float[3], new float[] {grad[6], grad[7], grad[8]}, 0f);
        }
    }

    private static void assertGradient(BinaryOperator<NDArray> loss, long[] labels, int rows) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(LOGITS);
            x.setRequiresGradient(true);
            backwardUnderGc(x, manager.create(labels), loss);
            assertArrayEquals(expected(rows), x.getGradient().toFloatArray(), 1e-6f);
        }
    }

    private static void backwardUnderGc(NDArray logits, NDArray labels, BinaryOperator<NDArray> loss) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = loss.apply(logits, labels);
            System.gc();
            try {
                Thread.sleep(20); // the Cleaner thread frees unreachable direct buffers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<ByteBuffer> junk = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
                b.putFloat(0, Float.NaN).putFloat(4, Float.NaN);
                junk.add(b);
            }
            collector.backward(value);
            junk.clear();
        }
    }

    /** (softmax(row) − one-hot(label)) / rows for the first two rows of LOGITS. */
    private static float[] expected(int rows) {
        float[] out = new float[6];
        for (int r = 0; r < 2; r++) {
            double sum = 0;
            for (float v : LOGITS[r]) {
                sum += Math.exp(v);
            }
            for (int c = 0; c < 3; c++) {
                double p = Math.exp(LOGITS[r][c]) / sum;
                out[r * 3 + c] = (float) ((p - (c == LABELS[r] ? 1 : 0)) / rows);
            }
        }
        return out;
    }
}
