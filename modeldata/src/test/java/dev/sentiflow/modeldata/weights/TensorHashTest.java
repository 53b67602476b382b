package dev.sentiflow.modeldata.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sentiflow.modeldata.config.BertConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorHashTest {

    /**
     * all-MiniLM-L6-v2 as converted from the langchain4j jar: every trainer and inference instance,
     * on any machine, must compute exactly this, or they would refuse each other's checkpoints.
     * (The value predates this module: it was first computed over DJL arrays, and must not move.)
     */
    static final String MINILM_BASE_HASH = "eb7cf408a626b5d92c231faed33775d6ad6248d0b2eb22fe767259732dc39acb";

    @Test
    void miniLmBaseHashIsPinned() {
        assertEquals(MINILM_BASE_HASH, BaseWeights.load(BaseWeights.MINILM).baseHash());
    }

    @Test
    void sameTensorsInDifferentlyWrittenFilesHaveOneHash(@TempDir Path dir) {
        Map<String, HostTensor> forward = new LinkedHashMap<>();
        forward.put("a.weight", random(4, 3));
        forward.put("b.bias", random(5));
        Map<String, HostTensor> backward = new LinkedHashMap<>();
        backward.put("b.bias", forward.get("b.bias"));
        backward.put("a.weight", forward.get("a.weight"));
        Path one = dir.resolve("one.safetensors");
        Path two = dir.resolve("two.safetensors");
        Safetensors.write(one, forward, Map.of("format", "pt"));
        Safetensors.write(two, backward, Map.of("source", "elsewhere", "format", "pt"));
        BertConfig config = BertConfig.minilmL6();
        BaseWeights a = BaseWeights.fromSafetensors("one", config, one, null);
        BaseWeights b = BaseWeights.fromSafetensors("two", config, two, null);
        assertEquals(a.baseHash(), b.baseHash());
        assertEquals(TensorHash.of(forward), a.baseHash());
    }

    @Test
    void anyChangeToNamesShapesOrValuesChangesTheHash() {
        float[] values = new float[12];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        HostTensor w = HostTensor.of(values, 3, 4);
        String hash = TensorHash.of(Map.of("w", w));
        assertEquals(hash, TensorHash.of(Map.of("w", HostTensor.of(values.clone(), 3, 4))));
        assertNotEquals(hash, TensorHash.of(Map.of("v", w)), "renamed");
        assertNotEquals(hash, TensorHash.of(Map.of("w", HostTensor.of(values, 4, 3))), "same bytes, other shape");
        ByteBuffer asInts = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN).put(w.data().duplicate()).flip();
        assertNotEquals(hash, TensorHash.of(Map.of("w", new HostTensor(DType.INT32, new long[] {3, 4}, asInts))),
                "same bytes, other dtype");
        float[] changed = values.clone();
        changed[6] = 5.5f;
        assertNotEquals(hash, TensorHash.of(Map.of("w", HostTensor.of(changed, 3, 4))), "one element");
        assertNotEquals(TensorHash.of(Map.of("ab", w, "c", w)), TensorHash.of(Map.of("a", w, "bc", w)),
                "names are length-prefixed");
    }

    private static HostTensor random(long... dims) {
        Random r = new Random(dims.length);
        float[] v = new float[(int) java.util.Arrays.stream(dims).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return HostTensor.of(v, dims);
    }
}
