package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sentiflow.model.bert.BertConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TensorHashTest {

    /**
     * all-MiniLM-L6-v2 as converted from the langchain4j jar: every trainer and inference instance,
     * on any machine, must compute exactly this, or they would refuse each other's checkpoints.
     */
    static final String MINILM_BASE_HASH = "eb7cf408a626b5d92c231faed33775d6ad6248d0b2eb22fe767259732dc39acb";

    @Test
    void miniLmBaseHashIsPinned() {
        try (NDManager m = NDManager.newBaseManager(); BaseModel base = BaseModels.load(m, BaseModels.MINILM)) {
            assertEquals(MINILM_BASE_HASH, base.baseHash());
        }
    }

    @Test
    void sameTensorsInDifferentlyWrittenFilesHaveOneHash(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> forward = new LinkedHashMap<>();
            forward.put("a.weight", m.randomNormal(new Shape(4, 3)));
            forward.put("b.bias", m.randomNormal(new Shape(5)));
            Map<String, NDArray> backward = new LinkedHashMap<>();
            backward.put("b.bias", forward.get("b.bias"));
            backward.put("a.weight", forward.get("a.weight"));
            Path one = dir.resolve("one.safetensors");
            Path two = dir.resolve("two.safetensors");
            Safetensors.write(one, forward, Map.of("format", "pt"));
            Safetensors.write(two, backward, Map.of("source", "elsewhere", "format", "pt"));
            BertConfig config = BertConfig.minilmL6();
            try (BaseModel a = BaseModels.fromSafetensors(m, "one", config, one, null);
                 BaseModel b = BaseModels.fromSafetensors(m, "two", config, two, null)) {
                assertEquals(a.baseHash(), b.baseHash());
                assertEquals(TensorHash.of(forward), a.baseHash());
            }
        }
    }

    @Test
    void anyChangeToNamesShapesOrValuesChangesTheHash() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.arange(12f).reshape(3, 4);
            String hash = TensorHash.of(Map.of("w", w));
            assertEquals(hash, TensorHash.of(Map.of("w", m.arange(12f).reshape(3, 4))));
            assertNotEquals(hash, TensorHash.of(Map.of("v", w)), "renamed");
            assertNotEquals(hash, TensorHash.of(Map.of("w", w.reshape(4, 3))), "same bytes, other shape");
            assertNotEquals(hash, TensorHash.of(Map.of("w", w.toType(ai.djl.ndarray.types.DataType.FLOAT64, false))),
                    "other dtype");
            NDArray changed = w.duplicate();
            changed.set(new ai.djl.ndarray.index.NDIndex("1, 2"), 5.5f);
            assertNotEquals(hash, TensorHash.of(Map.of("w", changed)), "one element");
            assertNotEquals(TensorHash.of(Map.of("ab", w, "c", w)), TensorHash.of(Map.of("a", w, "bc", w)),
                    "names are length-prefixed");
        }
    }
}
