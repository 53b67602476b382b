package dev.sentiflow.model.lora;

import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.BaseWeights;

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
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraTrainingTest {

    @Test
    void onlyAdapterAndHeadChangeAndMergedForwardMatches() {
        try (NDManager manager = NDManager.newBaseManager();
             BaseModel full = BaseModels.load(manager, BaseWeights.MINILM);
             BaseModel base = full.firstLayers(1)) {
            LoraConfig config = LoraConfig.defaults().withTargets(java.util.List.of("query", "value", "dense"));
            SequenceClassifier model = Classifiers.create(manager, base, 2, Optional.of(config), 1);
            Map<String, Parameter> named = model.namedParameters();
            Map<String, float[]> before = new HashMap<>();
            named.forEach((n, p) -> before.put(n, p.getArray().toFloatArray()));

            ParameterStore ps = new ParameterStore(manager, false);
            for (int step = 0; step < 3; step++) {
                try (NDManager batch = manager.newSubManager()) {
                    NDList inputs = TinyBatch.of(batch);
                    NDArray labels = batch.create(new long[] {1, 0, 1});
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = model.forward(ps, inputs, true).singletonOrThrow();
                        NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(logits));
                        gc.backward(loss);
                    }
                    for (Parameter p : named.values()) {
                        if (p.requiresGradient()) {
                            NDArray w = p.getArray();
                            w.subi(w.getGradient().mul(0.5f));
                        }
                    }
                }
            }

            Set<String> changed = new TreeSet<>();
            named.forEach((n, p) -> {
                if (!java.util.Arrays.equals(before.get(n), p.getArray().toFloatArray())) {
                    changed.add(n);
                }
            });
            Set<String> trainable = new TreeSet<>();
            named.forEach((n, p) -> {
                if (p.requiresGradient()) {
                    trainable.add(n);
                }
            });
            assertEquals(trainable, changed, "exactly the trainable tensors change; every base tensor is bit-identical");
            assertTrue(changed.contains("encoder.layer.0.attention.self.query.lora_A.weight"));
            assertTrue(changed.contains("encoder.layer.0.intermediate.dense.lora_B.weight"));
            assertTrue(changed.contains("pooler.dense.weight"));

            NDList probe = TinyBatch.of(manager);
            float[] unmerged = model.forward(ps, probe, false).singletonOrThrow().toFloatArray();
            LoraModules.mergeAll(model);
            float[] merged = model.forward(ps, probe, false).singletonOrThrow().toFloatArray();
            LoraModules.unmergeAll(model);
            float[] again = model.forward(ps, probe, false).singletonOrThrow().toFloatArray();
            double maxDiff = 0;
            for (int i = 0; i < merged.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(merged[i] - unmerged[i]));
                maxDiff = Math.max(maxDiff, Math.abs(again[i] - unmerged[i]));
            }
            System.out.printf("LoRA merged vs unmerged logits: max abs diff %.3g%n", maxDiff);
            assertTrue(maxDiff < 1e-5, "merged forward differs by " + maxDiff);
            assertArrayEquals(unmerged, again, 0f); // unmerge restores the base exactly
        }
    }
}
