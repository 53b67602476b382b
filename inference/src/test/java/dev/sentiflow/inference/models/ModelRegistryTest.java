package dev.sentiflow.inference.models;

import dev.sentiflow.modeldata.weights.FloatTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import dev.sentiflow.inference.onnx.OnnxVersion;
import dev.sentiflow.inference.onnx.VersionInputs;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Swaps under load: scoring threads take versions while the follower swaps new ones in. A version a
 * batch holds is never freed under it, every replaced version is freed once its batches are done,
 * and an older version never replaces a newer one. Real native ONNX Runtime tensors stand for each version's tensors.
 */
class ModelRegistryTest {

    private record Version(ServedVersion served, OnnxTensor array) {}

    private static Version version(String name, long number) {
        float[] ones = new float[16];
        java.util.Arrays.fill(ones, 1f);
        VersionInputs inputs = VersionInputs.of(Map.of("w", new long[] {16}),
                Map.of("w", new FloatTensor(new long[] {16}, ones)));
        // No graph: the registry never scores, and the version's own tensor is what must outlive every lease.
        return new Version(new ServedVersion(name, number, "sha" + number, List.of("a", "b"), "tok",
                new OnnxVersion(null, inputs, false)), inputs.tensors().get("w"));
    }

    private static float sum(OnnxTensor tensor) {
        java.nio.FloatBuffer values = tensor.getFloatBuffer();
        float sum = 0;
        while (values.hasRemaining()) {
            sum += values.get();
        }
        return sum;
    }

    @Test
    void batchesNeverSeeAFreedVersionAndReplacedVersionsAreFreed() throws Exception {
        ModelRegistry registry = new ModelRegistry();
        Map<Long, OnnxTensor> arrays = new ConcurrentHashMap<>();
        Version first = version("default", 1);
        arrays.put(1L, first.array());
        assertTrue(registry.offer(first.served()).accepted());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Long>> batches = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            batches.add(pool.submit(() -> {
                long taken = 0;
                while (!stop.get()) {
                    try (Lease lease = registry.acquire("default").orElseThrow()) {
                        OnnxTensor own = arrays.get(lease.version().version());
                        // Reading a freed array would fail or crash: the lease must keep it alive.
                        assertFalse(own.isClosed(), "a held version was freed");
                        assertEquals(16f, sum(own), 0f);
                        taken++;
                    }
                }
                return taken;
            }));
        }
        for (long n = 2; n <= 200; n++) {
            Version next = version("default", n);
            arrays.put(n, next.array());
            assertTrue(registry.offer(next.served()).accepted());
        }
        stop.set(true);
        long taken = 0;
        for (Future<Long> f : batches) {
            taken += f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(taken > 0);
        for (long n = 1; n < 200; n++) {
            assertTrue(arrays.get(n).isClosed(), "replaced v" + n + " was never freed");
        }
        assertFalse(arrays.get(200L).isClosed(), "the served version must stay");

        Version older = version("default", 150);
        ModelRegistry.Swap refused = registry.offer(older.served());
        assertFalse(refused.accepted());
        assertEquals(200L, refused.previous().getAsLong());
        assertTrue(older.array().isClosed(), "a refused candidate is freed at once");
        assertEquals(200L, registry.version("default").getAsLong());
        registry.close();
        assertTrue(arrays.get(200L).isClosed());
    }
    @Test
    void challengersWaitBesidePromotionKeepsThePredecessorAndEachDisplacedVersionIsFreed() {
        ModelRegistry registry = new ModelRegistry();
        Version v1 = version("m", 1);
        Version v2 = version("m", 2);
        Version v3 = version("m", 3);
        assertTrue(registry.offer(v1.served(), dev.sentiflow.avro.Rollout.CHALLENGER).accepted(),
                "with no champion a challenger has nothing to be compared with: it serves");
        assertEquals(java.util.OptionalLong.of(1), registry.version("m"));
        ModelRegistry.Swap two = registry.offer(v2.served(), dev.sentiflow.avro.Rollout.CHALLENGER);
        assertTrue(two.accepted() && two.asChallenger());
        assertEquals(java.util.OptionalLong.of(1), registry.version("m"), "a challenger does not serve");
        try (ModelRegistry.Held held = registry.hold("m").orElseThrow()) {
            assertEquals(1, held.champion().version().version());
            assertEquals(2, held.shadow().orElseThrow().version().version());
            assertEquals(ModelRegistry.ShadowRole.CHALLENGER, held.role());
        }
        assertFalse(registry.promote("m", 3), "only the waiting challenger can be promoted");
        assertTrue(registry.promote("m", 2));
        assertEquals(java.util.OptionalLong.of(2), registry.version("m"));
        assertEquals(Optional.of(Map.entry(ModelRegistry.ShadowRole.PREDECESSOR, 1L)), registry.shadow("m"));
        assertTrue(registry.rollBack("m", 2));
        assertEquals(java.util.OptionalLong.of(1), registry.version("m"));
        assertTrue(v2.array().isClosed(), "the rolled-back version is freed");
        assertFalse(v1.array().isClosed());
        assertTrue(registry.offer(v3.served(), dev.sentiflow.avro.Rollout.CHALLENGER).accepted());
        assertTrue(registry.reject("m", 3));
        assertTrue(v3.array().isClosed(), "a rejected challenger is freed");
        assertEquals(Optional.empty(), registry.shadow("m"));
        assertFalse(registry.confirm("m", 1), "nothing is watched any more");
        registry.close();
        assertTrue(v1.array().isClosed());
    }
}
