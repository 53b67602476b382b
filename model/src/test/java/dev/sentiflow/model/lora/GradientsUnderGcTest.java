package dev.sentiflow.model.lora;

import dev.sentiflow.modeldata.config.LoraConfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.head.TinyBatch;
import dev.sentiflow.model.head.TruncatedMiniLm;
import dev.sentiflow.model.weights.BaseModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Backward must not depend on when the JVM collects garbage. DJL turns a Java number operand
 * ({@code x.mul(2f)}) into a temporary tensor over a direct buffer that autograd may read again in
 * backward after it was freed; the attention scale and the LoRA scale once did exactly that and
 * produced NaN or garbage gradients at random (model/README.md). Same batch, same dropout seed: the
 * gradients with collections forced between forward and backward equal those without.
 */
class GradientsUnderGcTest {

    @Test
    void gradientsAreTheSameWithGarbageCollectionBetweenForwardAndBackward() {
        try (TruncatedMiniLm miniLm = TruncatedMiniLm.firstLayers(1)) {
            NDManager manager = miniLm.manager();
            BaseModel base = miniLm.base();
            SequenceClassifier model = Classifiers.create(manager, base, 2, Optional.of(LoraConfig.defaults()), 3);
            Map<String, Parameter> trainable = new LinkedHashMap<>();
            model.namedParameters().forEach((name, p) -> {
                if (p.requiresGradient()) {
                    trainable.put(name, p);
                }
            });
            // Non-zero B so that every LoRA gradient (A's included) carries signal.
            for (Parameter p : trainable.values()) {
                p.getArray().addi(0.01f);
            }
            ParameterStore ps = new ParameterStore(manager, false);
            Map<String, float[]> calm = gradients(manager, model, ps, trainable, false);
            Map<String, float[]> collected = gradients(manager, model, ps, trainable, true);
            for (String name : trainable.keySet()) {
                for (float g : collected.get(name)) {
                    assertTrue(Float.isFinite(g), name + " has a non-finite gradient after GC");
                }
                assertArrayEquals(calm.get(name), collected.get(name), 1e-6f, name + " changed with GC");
            }
            assertTrue(java.util.Arrays.stream(boxed(calm.get("encoder.layer.0.attention.self.query.lora_A.weight")))
                    .anyMatch(g -> g != 0f), "query LoRA A gets a gradient through the attention scores");
        }
    }

    private static Map<String, float[]> gradients(NDManager manager, SequenceClassifier model, ParameterStore ps,
                                                  Map<String, Parameter> trainable, boolean collect) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager batch = manager.newSubManager()) {
            NDList inputs = TinyBatch.of(batch);
            NDArray labels = batch.create(new long[] {1, 0, 1});
            Engine.getInstance().setRandomSeed(11);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(ps, inputs, true).singletonOrThrow();
                NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(logits));
                if (collect) {
                    for (int i = 0; i < 5; i++) {
                        List<byte[]> pressure = new java.util.ArrayList<>();
                        for (int j = 0; j < 64; j++) {
                            pressure.add(new byte[1 << 16]);
                        }
                        pressure.clear();
                        System.gc();
                    }
                }
                gc.backward(loss);
            }
            trainable.forEach((name, p) -> {
                NDArray grad = p.getArray().getGradient();
                out.put(name, grad.toFloatArray());
                grad.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
            });
        }
        return out;
    }

    private static Float[] boxed(float[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
