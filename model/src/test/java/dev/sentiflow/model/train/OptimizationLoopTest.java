package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizationLoopTest {

    @Test
    void nonFiniteGradientsSkipTheStepThenStopTheRun() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            w.setArray(manager.create(new float[] {1f, 2f}));
            w.freeze(false);
            TrainingConfig config = TrainingConfig.defaults(TrainingMode.FULL).withWarmupRatio(0);
            try (OptimizationLoop loop = new OptimizationLoop(null, Map.of("classifier.weight", w), manager, config, 100)) {
                backward(w, new float[] {Float.NaN, 1f});
                OptimizationLoop.Step step = loop.step();
                assertTrue(Double.isNaN(step.gradNorm()));
                assertEquals(1, loop.skippedSteps());
                assertArrayEquals(new float[] {1f, 2f}, w.getArray().toFloatArray(), "a skipped step leaves the weights alone");

                backward(w, new float[] {0.5f, 0.5f});
                OptimizationLoop.Step good = loop.step();
                assertEquals(Math.sqrt(0.5), good.gradNorm(), 1e-6, "gradients were zeroed after the skipped step");
                assertTrue(w.getArray().toFloatArray()[0] < 1f);

                for (int i = 0; i < loop.maxSkippedSteps() - 1; i++) {
                    backward(w, new float[] {Float.POSITIVE_INFINITY, 0f});
                    loop.step();
                }
                backward(w, new float[] {Float.POSITIVE_INFINITY, 0f});
                IllegalStateException e = assertThrows(IllegalStateException.class, loop::step);
                assertTrue(e.getMessage().contains("classifier.weight (gradient)"), e.getMessage());
            }
        }
    }

    /** logits = float(ids) · w, w [3,2]: enough to drive the loop without an encoder. */
    private static final class TinyClassifier extends AbstractBlock {
        private final Parameter w;

        TinyClassifier() {
            w = addParameter(Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optShape(new Shape(3, 2)).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.get(0).toType(DataType.FLOAT32, false);
            return new NDList(x.matMul(ps.getValue(w, x.getDevice(), training)));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), 2)};
        }
    }

    private static double firstStepNorm(PaddedBatch[] batches, int accumulation) {
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyClassifier model = new TinyClassifier();
            model.setInitializer(new ConstantInitializer(0.1f), Parameter.Type.WEIGHT);
            model.initialize(manager, DataType.FLOAT32, new Shape(2, 3));
            TrainingConfig config = TrainingConfig.defaults(TrainingMode.FULL).withMaxGradNorm(0).withGradientAccumulation(accumulation);
            try (OptimizationLoop loop = new OptimizationLoop(model, Map.of("w", model.w), manager, config, 10)) {
                for (PaddedBatch batch : batches) {
                    loop.forwardBackward(batch, CrossEntropy::mean);
                }
                return loop.step().gradNorm();
            }
        }
    }

    @Test
    void accumulatedGradientsAreTheMeanOverBatches() {
        long[] ones = {1, 1, 1, 1, 1, 1};
        PaddedBatch a = new PaddedBatch(new long[] {1, 2, 3, 0, 1, 0}, ones, new long[] {0, 1}, 2, 3);
        PaddedBatch b = new PaddedBatch(new long[] {2, 2, 1, 3, 0, 1}, ones, new long[] {1, 1}, 2, 3);
        PaddedBatch both = new PaddedBatch(new long[] {1, 2, 3, 0, 1, 0, 2, 2, 1, 3, 0, 1}, new long[12], new long[] {0, 1, 1, 1}, 4, 3);
        double accumulated = firstStepNorm(new PaddedBatch[] {a, b}, 2);
        double whole = firstStepNorm(new PaddedBatch[] {both}, 1);
        assertTrue(whole > 0);
        assertEquals(whole, accumulated, 1e-6, "two half batches accumulate to the gradient of the whole batch");
    }

    private static void backward(Parameter p, float[] c) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = p.getArray().mul(p.getArray().getManager().create(c)).sum();
            gc.backward(loss);
        }
    }
}
