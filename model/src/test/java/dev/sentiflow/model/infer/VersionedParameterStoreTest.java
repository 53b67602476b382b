package dev.sentiflow.model.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.checkpoint.CheckpointException;
import dev.sentiflow.model.checkpoint.CheckpointKind;
import dev.sentiflow.model.checkpoint.CheckpointMetadata;
import dev.sentiflow.model.checkpoint.ModelIdentity;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.head.TinyBatch;
import dev.sentiflow.model.head.TruncatedMiniLm;
import dev.sentiflow.model.lora.LoraConfig;
import dev.sentiflow.model.weights.BaseModel;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many versions on one block: each version's store gives exactly the logits of a model of its own
 * with the checkpoint applied, holds only the checkpoint's tensors, and never writes the block.
 */
class VersionedParameterStoreTest {

    private static final List<String> LABELS = List.of("negative", "positive");
    private static final LoraConfig LORA = LoraConfig.defaults();

    private static TruncatedMiniLm miniLm;
    private static BaseModel base;

    @BeforeAll
    static void loadBase() {
        miniLm = TruncatedMiniLm.firstLayers(1);
        base = miniLm.base();
    }

    @AfterAll
    static void close() {
        miniLm.close();
    }

    private static ModelIdentity identity() {
        return new ModelIdentity(base.baseHash(), Optional.of(LORA), LABELS, "tok", 128);
    }

    /** An adapter as a trainer would publish it: LoRA and head moved away from their start. */
    private static byte[] adapter(NDManager m, long seed) {
        SequenceClassifier trained = Classifiers.create(m, base, 2, Optional.of(LORA), seed);
        trained.namedParameters().forEach((name, p) -> {
            if (p.requiresGradient()) {
                p.getArray().addi(m.randomNormal(0f, 0.2f, p.getShape(), p.getArray().getDataType()));
            }
        });
        return CheckpointCodec.encode(trained, new CheckpointMetadata(CheckpointKind.ADAPTER, base.baseHash(),
                Optional.of(LORA), LABELS, "tok", 128));
    }

    private static float[] logits(NDManager m, SequenceClassifier model, ai.djl.training.ParameterStore ps) {
        return NoGradient.call(() -> {
            try (NDManager scope = m.newSubManager()) {
                return model.forward(ps, TinyBatch.of(scope), false).singletonOrThrow().toFloatArray();
            }
        });
    }

    private static Map<String, float[]> snapshot(SequenceClassifier block) {
        Map<String, float[]> out = new LinkedHashMap<>();
        block.namedParameters().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    private static long managedBytes(NDManager m) {
        return m.getManagedArrays().stream().mapToLong(a -> a.getShape().size() * a.getDataType().getNumOfBytes()).sum();
    }

    @Test
    void twoAdaptersOnOneBlockScoreExactlyAsTwoSeparateModels() {
        try (NDManager m = miniLm.manager().newSubManager()) {
            byte[] first = adapter(m, 11);
            byte[] second = adapter(m, 12);
            // The serving block has its own random head: the stores must override it.
            SequenceClassifier block = Classifiers.create(m, base, 2, Optional.of(LORA), 99);
            ServedVersions versions = new ServedVersions(block, m, identity());
            Map<String, float[]> before = snapshot(block);
            long blockBytes = block.namedParameters().values().stream()
                    .mapToLong(p -> p.getArray().getShape().size() * 4).sum();
            int blockManagerArrays = m.getManagedArrays().size();

            ServedVersion v1 = versions.fromCheckpoint("default", 1, "aa", first, "test v1");
            ServedVersion v2 = versions.fromCheckpoint("default", 2, "bb", second, "test v2");
            // getManagedArrays counts sub-managers too: exactly the two versions' own arrays were added,
            // the decoded temporaries are gone and nothing landed in the block's manager itself.
            assertEquals(blockManagerArrays + v1.store().weights().arrayCount() + v2.store().weights().arrayCount(),
                    m.getManagedArrays().size(), "staging left arrays behind");

            for (var pair : List.of(Map.entry(v1, first), Map.entry(v2, second))) {
                SequenceClassifier reference = Classifiers.create(m, base, 2, Optional.of(LORA), 5);
                CheckpointCodec.apply(CheckpointCodec.decode(m, pair.getValue(), "ref"), reference, identity(), "ref");
                float[] expected = logits(m, reference, new ai.djl.training.ParameterStore(m, false));
                float[] served = logits(m, block, pair.getKey().store());
                assertArrayEquals(expected, served, 1e-6f, pair.getKey() + " on the shared block");
            }
            assertFalse(java.util.Arrays.equals(logits(m, block, v1.store()), logits(m, block, v2.store())),
                    "two different adapters must give different logits");

            // Cost of a swap: the adapter's tensors, nothing more; no base tensor is copied.
            Map<String, Parameter> adapterParams = CheckpointCodec.select(block.namedParameters(),
                    CheckpointKind.ADAPTER, Optional.of(LORA));
            long adapterBytes = adapterParams.values().stream().mapToLong(p -> p.getShape().size() * 4).sum();
            assertEquals(adapterParams.size(), v1.store().weights().arrayCount());
            assertEquals(adapterBytes, v1.bytes());
            System.out.printf(Locale.ROOT, "one version on the shared block: %d arrays, %,d bytes (%.1f%% of the "
                    + "block's %,d bytes)%n", v1.store().weights().arrayCount(), v1.bytes(),
                    100.0 * v1.bytes() / blockBytes, blockBytes);

            Map<String, float[]> after = snapshot(block);
            before.forEach((name, values) -> assertArrayEquals(values, after.get(name), 0f,
                    "the block's " + name + " was written"));
            v1.retire();
            v2.retire();
        }
    }

    @Test
    void aServedVersionOwnsItsMemoryAfterTheCheckpointItCameFromIsCollected() throws Exception {
        try (NDManager m = miniLm.manager().newSubManager()) {
            byte[] bytes = adapter(m, 21);
            SequenceClassifier block = Classifiers.create(m, base, 2, Optional.of(LORA), 99);
            ServedVersion v1 = new ServedVersions(block, m, identity()).fromCheckpoint("default", 1, "aa", bytes, "v1");
            float[] before = logits(m, block, v1.store());
            // The decoded tensors live in direct buffers that only their (now closed) arrays referenced.
            // Staging once aliased them (DJL's toType(sameType, copy=true) is no copy): after a collection
            // the served weights were freed memory, and scores turned to NaN or noise.
            for (int i = 0; i < 5; i++) {
                byte[][] garbage = new byte[64][];
                for (int j = 0; j < garbage.length; j++) {
                    garbage[j] = new byte[1 << 20];
                }
                System.gc();
                Thread.sleep(50);
            }
            java.nio.ByteBuffer[] reuse = new java.nio.ByteBuffer[64];
            for (int j = 0; j < reuse.length; j++) {
                reuse[j] = java.nio.ByteBuffer.allocateDirect(64 << 10);
                while (reuse[j].hasRemaining()) {
                    reuse[j].put((byte) 0x7f); // freed memory handed out again, and overwritten
                }
            }
            assertArrayEquals(before, logits(m, block, v1.store()), 0f, "the served weights changed after a GC");
            v1.retire();
        }
    }

    @Test
    void aReplacedVersionIsFreedOnlyAfterItsLastBatch() {
        try (NDManager m = miniLm.manager().newSubManager()) {
            SequenceClassifier block = Classifiers.create(m, base, 2, Optional.of(LORA), 99);
            ServedVersions versions = new ServedVersions(block, m, identity());
            ServedVersion v1 = versions.fromCheckpoint("default", 1, "aa", adapter(m, 3), "test");
            NDArray someArray = v1.store().weights().get(block.namedParameters().get("classifier.weight"));
            assertTrue(v1.tryAcquire(), "a batch takes the version");
            v1.retire(); // replaced while the batch runs
            assertFalse(v1.isFreed());
            assertTrue(someArray.toFloatArray().length > 0, "still readable during the batch");
            v1.release(); // the batch ends
            assertTrue(v1.isFreed());
            assertFalse(v1.tryAcquire(), "a freed version cannot be taken again");
            assertTrue(someArray.isReleased(), "the arrays were freed with the last reference");
        }
    }

    @Test
    void aBadCheckpointAllocatesNothingAndAFullOneWithoutLoraServesExactly() {
        try (NDManager m = miniLm.manager().newSubManager()) {
            SequenceClassifier block = Classifiers.create(m, base, 2, Optional.of(LORA), 99);
            ServedVersions versions = new ServedVersions(block, m, identity());
            int arrays = m.getManagedArrays().size();
            long bytes = managedBytes(m);
            SequenceClassifier threeLabels = Classifiers.create(m, base, 3, Optional.of(LORA), 1);
            byte[] wrongLabels = CheckpointCodec.encode(threeLabels, new CheckpointMetadata(CheckpointKind.ADAPTER,
                    base.baseHash(), Optional.of(LORA), List.of("a", "b", "c"), "tok", 128));
            int withThree = m.getManagedArrays().size();
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> versions.fromCheckpoint("default", 1, "aa", wrongLabels, "bad"));
            assertTrue(e.getMessage().contains("labels"), e.getMessage());
            assertEquals(withThree, m.getManagedArrays().size(), "a refused checkpoint left arrays behind");
            assertTrue(managedBytes(m) > bytes && arrays < withThree);

            // A full fine-tune of a plain model (no LoRA tensors at all) on the LoRA-shaped block.
            SequenceClassifier full = Classifiers.create(m, base, 2, Optional.empty(), 21);
            full.namedParameters().values().forEach(p -> p.getArray().addi(
                    m.randomNormal(0f, 0.01f, p.getShape(), p.getArray().getDataType())));
            byte[] fullBytes = CheckpointCodec.encode(full, new CheckpointMetadata(CheckpointKind.FULL, base.baseHash(),
                    Optional.empty(), LABELS, "tok", 128));
            ServedVersion vFull = versions.fromCheckpoint("default", 2, "cc", fullBytes, "full");
            float[] expected = logits(m, full, new ai.djl.training.ParameterStore(m, false));
            assertArrayEquals(expected, logits(m, block, vFull.store()), 1e-5f);
            assertTrue(vFull.bytes() >= full.namedParameters().values().stream()
                    .mapToLong(p -> p.getShape().size() * 4).sum(), "a full checkpoint costs a full copy");
            vFull.retire();
        }
    }
}
