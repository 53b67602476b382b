package dev.sentiflow.inference.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.modeldata.checkpoint.ClassifierLayout;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.FloatTensor;
import dev.sentiflow.modeldata.weights.HostTensor;
import dev.sentiflow.modeldata.weights.WeightFileException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServingWeightsTest {

    private static final BaseWeights BASE = BaseWeights.load("minilm@2layers");
    private static final Map<String, long[]> LAYOUT = ClassifierLayout.of(BASE.config(),
            Optional.of(LoraConfig.defaults()), 3);

    @Test
    void encoderFromTheBaseHeadFromTheSeedAdaptersAtZero() {
        Map<String, FloatTensor> a = ServingWeights.of(BASE, LAYOUT, 0L);
        Map<String, FloatTensor> b = ServingWeights.of(BASE, LAYOUT, 0L);
        assertEquals(LAYOUT.keySet(), a.keySet());
        String q = "encoder.layer.1.attention.self.query.weight";
        assertArrayEquals(BASE.weights().get(q).toFloats(), a.get(q).data());
        float[] head = a.get("classifier.weight").data();
        assertArrayEquals(head, b.get("classifier.weight").data(), "the same head after a restart");
        double sumSquares = 0;
        for (float v : head) {
            sumSquares += v * v;
        }
        double std = Math.sqrt(sumSquares / head.length);
        assertTrue(std > 0.015 && std < 0.025, "drawn with std initializer_range (0.02): " + std);
        assertArrayEquals(new float[3], a.get("classifier.bias").data());
        float[] loraB = a.get("encoder.layer.0.attention.self.value.lora_B.weight").data();
        assertArrayEquals(new float[loraB.length], loraB);
        float[] other = ServingWeights.of(BASE, LAYOUT, 1L).get("classifier.weight").data();
        assertTrue(other[0] != head[0], "another seed, another head");
    }

    @Test
    void aBaseLackingAnEncoderTensorOrOfAnotherShapeIsRefusedByName() {
        Map<String, HostTensor> lacking = new LinkedHashMap<>(BASE.weights());
        lacking.remove("encoder.layer.0.output.dense.bias");
        WeightFileException e = assertThrows(WeightFileException.class, () -> ServingWeights.of(
                new BaseWeights("cut", BASE.config(), lacking, null, "x"), LAYOUT, 0L));
        assertTrue(e.getMessage().contains("encoder.layer.0.output.dense.bias"), e.getMessage());

        Map<String, HostTensor> reshaped = new LinkedHashMap<>(BASE.weights());
        reshaped.put("embeddings.LayerNorm.bias", HostTensor.of(new float[7], 7));
        e = assertThrows(WeightFileException.class, () -> ServingWeights.of(
                new BaseWeights("odd", BASE.config(), reshaped, null, "x"), LAYOUT, 0L));
        assertTrue(e.getMessage().contains("embeddings.LayerNorm.bias") && e.getMessage().contains("[7]"),
                e.getMessage());
    }
}
