package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
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

    private static void backward(Parameter p, float[] c) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = p.getArray().mul(p.getArray().getManager().create(c)).sum();
            gc.backward(loss);
        }
    }
}
