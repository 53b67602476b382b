package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private static Parameter parameter(NDManager manager, String name, float... values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.create(values));
        p.freeze(false);
        return p;
    }

    /** loss = sum(c · p), so the gradient of p is c. */
    private static void backward(Parameter p, float[] c) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = p.getArray().mul(p.getArray().getManager().create(c)).sum();
            gc.backward(loss);
        }
    }

    @Test
    void firstStepMatchesHandComputedValues() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "encoder.layer.0.output.dense.weight", 1f, -2f);
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("encoder.layer.0.output.dense.weight", w);
            try (AdamW adamW = new AdamW(manager, params, 0.01)) {
                backward(w, new float[] {0.5f, -0.1f});
                step(adamW, manager, 0.1);
                // decay: p·(1 − 0.1·0.01) = [0.999, −1.998]
                // m = 0.1·g, v = 0.001·g²; m̂ = g, √v̂ = |g| → update = lr·sign(g) = [0.1, −0.1]
                float[] after = w.getArray().toFloatArray();
                assertEquals(0.899f, after[0], 1e-6);
                assertEquals(-1.898f, after[1], 1e-6);
                // gradients are zeroed after the step
                assertArrayEquals(new float[] {0f, 0f}, w.getArray().getGradient().toFloatArray(), 0f);
            }
        }
    }

    @Test
    void threeStepsMatchAReferenceAndSkipDecayOnBiasAndLayerNorm() {
        float[][] grads = {{0.3f, -0.2f}, {-0.1f, 0.4f}, {0.05f, 0.05f}};
        double lr = 0.01;
        double wd = 0.1;
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("dense.weight", parameter(manager, "dense.weight", 0.5f, -1.5f));
            params.put("dense.bias", parameter(manager, "dense.bias", 0.5f, -1.5f));
            params.put("embeddings.LayerNorm.weight", parameter(manager, "embeddings.LayerNorm.weight", 0.5f, -1.5f));
            Parameter frozen = parameter(manager, "frozen.weight", 3f, 3f);
            frozen.freeze(true);
            params.put("frozen.weight", frozen);
            try (AdamW adamW = new AdamW(manager, params, wd)) {
                assertEquals(List.of("dense.weight", "dense.bias", "embeddings.LayerNorm.weight"), adamW.parameterNames());
                for (float[] g : grads) {
                    for (String name : adamW.parameterNames()) {
                        backward(params.get(name), g);
                    }
                    step(adamW, manager, lr);
                }
                double[] decayed = reference(new double[] {0.5, -1.5}, grads, lr, wd);
                double[] plain = reference(new double[] {0.5, -1.5}, grads, lr, 0);
                assertClose(decayed, params.get("dense.weight").getArray().toFloatArray());
                assertClose(plain, params.get("dense.bias").getArray().toFloatArray());
                assertClose(plain, params.get("embeddings.LayerNorm.weight").getArray().toFloatArray());
                assertArrayEquals(new float[] {3f, 3f}, frozen.getArray().toFloatArray());
                assertEquals(3, adamW.stepCount());
            }
        }
    }

    @Test
    void largeTensorsUpdatedInSlicesGiveTheSameResult() {
        float[][] grads = {{0.3f, -0.2f, 0.1f, 0.7f, -0.5f, 0.05f, 0.2f}, {-0.1f, 0.4f, 0.3f, -0.2f, 0.1f, 0.6f, -0.3f}};
        float[] init = {0.5f, -1.5f, 2f, 0f, 1f, -0.25f, 0.75f};
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("emb.weight").setType(Parameter.Type.WEIGHT).build();
            p.setArray(manager.create(init).reshape(7, 1));
            p.freeze(false);
            Map<String, Parameter> params = Map.of("emb.weight", p);
            // slices of 3 elements: 0-2, 3-5, 6
            try (AdamW adamW = new AdamW(manager, params, 0.1, 0.9, 0.999, 1e-8, 3)) {
                for (float[] g : grads) {
                    backward(p, g, 7);
                    step(adamW, manager, 0.01);
                }
            }
            double[] start = new double[init.length];
            for (int i = 0; i < init.length; i++) {
                start[i] = init[i];
            }
            assertClose(reference(start, grads, 0.01, 0.1), p.getArray().toFloatArray());
            assertArrayEquals(new float[7], p.getArray().getGradient().reshape(-1).toFloatArray(), 0f);
        }
    }

    private static void backward(Parameter p, float[] c, int rows) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = p.getArray().mul(p.getArray().getManager().create(c).reshape(rows, 1)).sum();
            gc.backward(loss);
        }
    }

    @Test
    void decayRuleFollowsHuggingFaceNames() {
        assertTrue(AdamW.decays("encoder.layer.0.attention.self.query.weight"));
        assertTrue(AdamW.decays("encoder.layer.0.attention.self.query.lora_A.weight"));
        assertFalse(AdamW.decays("classifier.bias"));
        assertFalse(AdamW.decays("encoder.layer.3.output.LayerNorm.weight"));
        assertFalse(AdamW.decays("transformer.layer.0.sa_layer_norm.weight"));
    }

    private static void step(AdamW adamW, NDManager manager, double lr) {
        try (NDManager scratch = manager.newSubManager()) {
            adamW.step(lr, adamW.gradients(scratch), scratch);
        }
    }

    /** torch.optim.AdamW in doubles. */
    private static double[] reference(double[] p, float[][] grads, double lr, double wd) {
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        p = p.clone();
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = grads[t - 1][i];
                p[i] *= 1 - lr * wd;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                p[i] -= lr / (1 - Math.pow(0.9, t)) * m[i] / denom;
            }
        }
        return p;
    }

    private static void assertClose(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6, "element " + i);
        }
    }
}
