package dev.sentiflow.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.checkpoint.ClassifierLayout;
import dev.sentiflow.modeldata.config.LoraConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Inference verifies checkpoints against {@link ClassifierLayout} (it builds no DJL model), the
 * trainer against its model's parameters: the two must name and shape every tensor alike, or one
 * side would refuse what the other accepts.
 */
class ClassifierLayoutTest {

    @Test
    void layoutIsTheDjlClassifiersParameters() {
        List<Optional<LoraConfig>> loras = List.of(Optional.empty(), Optional.of(LoraConfig.defaults()),
                Optional.of(LoraConfig.defaults().withTargets(List.of("dense", "key")).withRank(4, 8f)));
        try (NDManager m = NDManager.newBaseManager(); BaseModel base = BaseModels.load(m, "minilm@2layers")) {
            for (Optional<LoraConfig> lora : loras) {
                for (int labels : new int[] {2, 5}) {
                    try (NDManager sub = m.newSubManager()) {
                        SequenceClassifier model = Classifiers.create(sub, base, labels, lora, 1L);
                        Map<String, long[]> djl = CheckpointCodec.dimsOf(model.namedParameters());
                        Map<String, long[]> layout = ClassifierLayout.of(base.config(), lora, labels);
                        assertEquals(djl.keySet(), layout.keySet(), lora + ", " + labels + " labels");
                        djl.forEach((name, dims) -> assertArrayEquals(dims, layout.get(name), name));
                    }
                }
            }
        }
    }
}
