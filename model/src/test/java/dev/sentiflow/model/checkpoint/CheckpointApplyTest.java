package dev.sentiflow.model.checkpoint;

import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.head.TinyBatch;
import dev.sentiflow.model.head.TruncatedMiniLm;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.modeldata.config.LoraConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Applying checkpoints: what must match ({@link ModelIdentity}), all-or-nothing writes, no native leaks. */
class CheckpointApplyTest {

    private static final List<String> LABELS = List.of("negative", "positive");

    private static TruncatedMiniLm miniLm;
    private static NDManager manager;
    private static BaseModel base;

    @BeforeAll
    static void loadBase() {
        miniLm = TruncatedMiniLm.firstLayers(1);
        manager = miniLm.manager();
        base = miniLm.base();
    }

    @AfterAll
    static void close() {
        miniLm.close();
    }

    private static SequenceClassifier trained(NDManager m, LoraConfig lora, long seed) {
        SequenceClassifier model = Classifiers.create(m, base, 2, Optional.of(lora), seed);
        model.namedParameters().forEach((name, p) -> {
            if (p.requiresGradient()) {
                p.getArray().addi(m.randomNormal(0f, 0.05f, p.getShape(), p.getArray().getDataType()));
            }
        });
        return model;
    }

    private static float[] logits(NDManager m, SequenceClassifier model) {
        return model.forward(new ParameterStore(m, false), TinyBatch.of(m), false).singletonOrThrow().toFloatArray();
    }

    private static CheckpointMetadata meta(LoraConfig lora, List<String> labels, String tokenizer, int maxLength) {
        return new CheckpointMetadata(CheckpointKind.ADAPTER, base.baseHash(), Optional.of(lora), labels, tokenizer,
                maxLength);
    }

    private static ModelIdentity serving(LoraConfig lora) {
        return new ModelIdentity(base.baseHash(), Optional.of(lora), LABELS, "tok", 128);
    }

    @Test
    void refusesEveryIdentityMismatchEvenWithEqualShapes() {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier model = Classifiers.create(m, base, 2, Optional.of(lora), 2);
            Map<String, String> refusals = new LinkedHashMap<>();
            // Same tensor names and shapes as the model's adapter in every case but the targets one.
            Map<String, CheckpointMetadata> cases = new LinkedHashMap<>();
            cases.put("alpha", meta(lora.withRank(8, 16f), LABELS, "tok", 128));
            cases.put("labels order", meta(lora, List.of("positive", "negative"), "tok", 128));
            cases.put("tokenizer", meta(lora, LABELS, "other-vocab", 128));
            cases.put("max length", meta(lora, LABELS, "tok", 64));
            cases.put("head modules", meta(new LoraConfig(8, 32f, 0.1f, List.of("query", "value"),
                    List.of("classifier")), LABELS, "tok", 128));
            cases.put("targets", meta(lora.withTargets(List.of("query", "key")), LABELS, "tok", 128));
            for (var c : cases.entrySet()) {
                byte[] bytes = CheckpointCodec.encode(trained(m, c.getValue().lora().orElseThrow(), 1), c.getValue());
                Checkpoint cp = CheckpointCodec.decode(m, bytes, c.getKey());
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> CheckpointCodec.apply(cp, model, serving(lora), c.getKey()), c.getKey());
                refusals.put(c.getKey(), e.getMessage());
            }
            assertTrue(refusals.get("alpha").contains("alpha=16.0 but this model has r=8 alpha=32.0"), refusals.get("alpha"));
            assertTrue(refusals.get("labels order").contains("(same names, other order)"), refusals.get("labels order"));
            assertTrue(refusals.get("tokenizer").contains("tokenized with other-vocab"), refusals.get("tokenizer"));
            assertTrue(refusals.get("max length").contains("max length 64"), refusals.get("max length"));
            assertTrue(refusals.get("head modules").contains("head modules [classifier]"), refusals.get("head modules"));
            assertTrue(refusals.get("targets").contains("LoRA on [attention.self.query, attention.self.key]"),
                    refusals.get("targets"));
            // The matching identity is accepted.
            byte[] good = CheckpointCodec.encode(trained(m, lora, 1), meta(lora, LABELS, "tok", 128));
            CheckpointCodec.apply(CheckpointCodec.decode(m, good, "good"), model, serving(lora), "good");
        }
    }

    @Test
    void aFailureHalfWayLeavesTheModelAsItWas() {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier model = trained(m, lora, 3);
            float[] before = logits(m, model);
            byte[] bytes = CheckpointCodec.encode(trained(m, lora, 1), meta(lora, LABELS, "tok", 128));
            Checkpoint cp = CheckpointCodec.decode(m, bytes, "cp");
            // The last tensor becomes unreadable after verification could see its shape: every
            // tensor before it would already have been written by a tensor-by-tensor copy.
            Map<String, NDArray> tensors = new LinkedHashMap<>(cp.tensors());
            String last = tensors.keySet().stream().reduce((a, b) -> b).orElseThrow();
            NDArray broken = tensors.get(last);
            broken.getShape();
            broken.close();
            Checkpoint damaged = new Checkpoint(cp.metadata(), tensors);
            assertThrows(RuntimeException.class, () -> CheckpointCodec.apply(damaged, model, serving(lora), "cp"));
            assertArrayEquals(before, logits(m, model), 0f, "the model changed although the apply failed");
        }
    }

    @Test
    void twoHundredApplyAndMergeCyclesLeaveNoNativeArraysBehind() {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier model = trained(m, lora, 3);
            LoraModules.mergeAll(model);
            List<byte[]> versions = List.of(
                    CheckpointCodec.encode(trained(m, lora, 1), meta(lora, LABELS, "tok", 128)),
                    CheckpointCodec.encode(trained(m, lora, 2), meta(lora, LABELS, "tok", 128)));
            int warmup = 5;
            int cycles = 200;
            long[] arrays = new long[cycles + warmup];
            long[] bytes = new long[cycles + warmup];
            for (int i = 0; i < cycles + warmup; i++) {
                try (NDManager decode = m.newSubManager()) {
                    Checkpoint cp = CheckpointCodec.decode(decode, versions.get(i % 2), "v" + i);
                    CheckpointCodec.apply(cp, model, serving(lora), "v" + i);
                }
                arrays[i] = m.getManagedArrays().size();
                bytes[i] = m.getManagedArrays().stream().mapToLong(a -> a.size() * a.getDataType().getNumOfBytes()).sum();
            }
            System.out.printf(Locale.ROOT, "apply+merge cycles: model manager holds %d arrays / %.2f MB after %d "
                            + "warm-up cycles and %d arrays / %.2f MB after %d more (slope %.1f bytes/cycle)%n",
                    arrays[warmup - 1], bytes[warmup - 1] / 1e6, warmup, arrays[cycles + warmup - 1],
                    bytes[cycles + warmup - 1] / 1e6, cycles,
                    (bytes[cycles + warmup - 1] - bytes[warmup - 1]) / (double) cycles);
            assertEquals(arrays[warmup - 1], arrays[cycles + warmup - 1], "native arrays leaked per apply/merge");
            assertEquals(bytes[warmup - 1], bytes[cycles + warmup - 1], "native bytes leaked per apply/merge");
            assertTrue(LoraModules.find(model).stream().allMatch(l -> l.isMerged()));
        }
    }
}
