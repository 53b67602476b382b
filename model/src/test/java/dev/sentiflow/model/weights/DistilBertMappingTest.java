package dev.sentiflow.model.weights;

import dev.sentiflow.modeldata.weights.HfNames;
import dev.sentiflow.modeldata.weights.Safetensors;
import dev.sentiflow.modeldata.weights.TensorHash;
import dev.sentiflow.modeldata.weights.WeightFileException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.bert.BertEncoder;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny DistilBERT written with DistilBERT's own tensor names loads into the BERT encoder by the
 * name mapping: every tensor lands where it should (checked value by value) and nothing is left over.
 */
class DistilBertMappingTest {

    private static final int H = 8;
    private static final int FFN = 16;
    private static final int VOCAB = 30522;

    @Test
    void canonicalNamesOfDistilBertTensors() {
        assertEquals("encoder.layer.3.attention.self.query.weight",
                HfNames.canonical("distilbert.transformer.layer.3.attention.q_lin.weight").orElseThrow());
        assertEquals("encoder.layer.0.attention.output.dense.bias",
                HfNames.canonical("distilbert.transformer.layer.0.attention.out_lin.bias").orElseThrow());
        assertEquals("encoder.layer.1.attention.output.LayerNorm.weight",
                HfNames.canonical("distilbert.transformer.layer.1.sa_layer_norm.weight").orElseThrow());
        assertEquals("encoder.layer.1.intermediate.dense.weight",
                HfNames.canonical("distilbert.transformer.layer.1.ffn.lin1.weight").orElseThrow());
        assertEquals("encoder.layer.1.output.dense.bias",
                HfNames.canonical("distilbert.transformer.layer.1.ffn.lin2.bias").orElseThrow());
        assertEquals("encoder.layer.1.output.LayerNorm.bias",
                HfNames.canonical("distilbert.transformer.layer.1.output_layer_norm.bias").orElseThrow());
        assertEquals("cls.predictions.transform.dense.weight", HfNames.canonical("vocab_transform.weight").orElseThrow());
        assertEquals("cls.predictions.bias", HfNames.canonical("vocab_projector.bias").orElseThrow());
        assertEquals(Optional.empty(), HfNames.canonical("vocab_projector.weight"));
        assertEquals(Optional.empty(), HfNames.canonical("bert.embeddings.position_ids"));
        assertEquals(Optional.empty(), HfNames.canonical("cls.predictions.decoder.weight"));
        assertEquals("cls.predictions.bias", HfNames.canonical("cls.predictions.decoder.bias").orElseThrow());
        assertEquals("pooler.dense.weight", HfNames.canonical("bert.pooler.dense.weight").orElseThrow());
        assertEquals("embeddings.LayerNorm.weight", HfNames.canonical("bert.embeddings.LayerNorm.gamma").orElseThrow());
        assertEquals("transformer.layer.2.attention.v_lin.weight",
                HfNames.toDistilBert("encoder.layer.2.attention.self.value.weight"));
    }

    @Test
    void tinyDistilBertDirectoryLoadsTensorByTensor(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "distilbert", "vocab_size": %d, "dim": %d, "n_layers": 2, "n_heads": 2,
                 "hidden_dim": %d, "max_position_embeddings": 32, "dropout": 0.1, "attention_dropout": 0.1,
                 "activation": "gelu"}
                """.formatted(VOCAB, H, FFN));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(TextTokenizer.BUNDLED_RESOURCE)) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> distil = new LinkedHashMap<>();
            put(m, distil, "distilbert.embeddings.word_embeddings.weight", VOCAB, H);
            put(m, distil, "distilbert.embeddings.position_embeddings.weight", 32, H);
            put(m, distil, "distilbert.embeddings.LayerNorm.weight", H);
            put(m, distil, "distilbert.embeddings.LayerNorm.bias", H);
            for (int l = 0; l < 2; l++) {
                String p = "distilbert.transformer.layer." + l + ".";
                for (String lin : List.of("q_lin", "k_lin", "v_lin", "out_lin")) {
                    put(m, distil, p + "attention." + lin + ".weight", H, H);
                    put(m, distil, p + "attention." + lin + ".bias", H);
                }
                put(m, distil, p + "sa_layer_norm.weight", H);
                put(m, distil, p + "sa_layer_norm.bias", H);
                put(m, distil, p + "ffn.lin1.weight", FFN, H);
                put(m, distil, p + "ffn.lin1.bias", FFN);
                put(m, distil, p + "ffn.lin2.weight", H, FFN);
                put(m, distil, p + "ffn.lin2.bias", H);
                put(m, distil, p + "output_layer_norm.weight", H);
                put(m, distil, p + "output_layer_norm.bias", H);
            }
            Safetensors.write(dir.resolve("model.safetensors"), NdTensors.toHost(distil), Map.of("format", "pt"));

            try (BaseModel base = BaseModels.load(m, dir.toString())) {
                assertTrue(base.config().isDistilBert());
                assertEquals(TensorHash.of(NdTensors.toHost(base.weights())), base.baseHash());
                BertEncoder encoder = new BertEncoder(base.config());
                encoder.initialize(m, DataType.FLOAT32);
                Map<String, Parameter> named = encoder.namedParameters();
                LoadReport report = WeightLoader.load(named, base.weights(), base.id());
                assertEquals(List.of(), report.missing());
                assertEquals(List.of(), report.unexpected());
                assertEquals(distil.size(), report.loaded().size());
                assertTrue(named.keySet().stream().noneMatch(n -> n.contains("token_type")), "DistilBERT has no token types");
                // Every value where the mapping says: compare each DistilBERT tensor with its BERT-named parameter.
                distil.forEach((name, t) -> assertArrayEquals(t.toFloatArray(),
                        named.get(HfNames.canonical(name).orElseThrow()).getArray().toFloatArray(), name));

                NDArray out = encoder.forward(new ParameterStore(m, false), new NDList(
                        m.create(new long[] {101, 2023, 102, 0}, new Shape(1, 4)),
                        m.create(new long[] {1, 1, 1, 0}, new Shape(1, 4))), false).singletonOrThrow();
                assertEquals(new Shape(1, 4, H), out.getShape());

                SequenceClassifier clf = Classifiers.create(m, base, 2, Optional.empty(), 1);
                assertEquals(new Shape(H, H), clf.namedParameters().get("pooler.dense.weight").getShape());

                // Exported as the equivalent BERT (one all-zero token type), it reloads to the same logits.
                Path exported = dir.resolve("exported");
                dev.sentiflow.model.checkpoint.HfDirectoryExport.write(exported, clf, List.of("neg", "pos"),
                        base.tokenizerJson());
                NDList probe = new NDList(m.create(new long[] {101, 2023, 102, 0}, new Shape(1, 4)),
                        m.create(new long[] {1, 1, 1, 0}, new Shape(1, 4)));
                float[] expected = clf.forward(new ParameterStore(m, false), probe, false).singletonOrThrow().toFloatArray();
                try (BaseModel asBert = BaseModels.load(m, exported.toString())) {
                    assertEquals("bert", asBert.config().modelType());
                    assertEquals(1, asBert.config().typeVocabSize());
                    SequenceClassifier again = Classifiers.create(m, asBert, 2, Optional.empty(), 9);
                    assertArrayEquals(expected,
                            again.forward(new ParameterStore(m, false), probe, false).singletonOrThrow().toFloatArray(), 1e-6f);
                }
            }
        }
    }

    @Test
    void wrongShapeInAUserDirectoryNamesFileTensorAndShapes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "bert", "vocab_size": 50, "hidden_size": 8, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16}
                """);
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            put(m, w, "bert.embeddings.word_embeddings.weight", 50, 4);
            Safetensors.write(dir.resolve("model.safetensors"), NdTensors.toHost(w), Map.of());
            try (BaseModel base = BaseModels.load(m, dir.toString())) {
                WeightFileException e = assertThrows(WeightFileException.class,
                        () -> Classifiers.create(m, base, 2, Optional.empty(), 1));
                assertTrue(e.getMessage().contains(dir.toString())
                        && e.getMessage().contains("embeddings.word_embeddings.weight")
                        && e.getMessage().contains("(50, 4)") && e.getMessage().contains("(50, 8)"), e.getMessage());
            }
        }
    }

    @Test
    void incompleteDirectoryAndUnknownIdAreNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{}");
        try (NDManager m = NDManager.newBaseManager()) {
            WeightFileException e = assertThrows(WeightFileException.class, () -> BaseModels.load(m, dir.toString()));
            assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
            Files.writeString(dir.resolve("pytorch_model.bin"), "pickle");
            e = assertThrows(WeightFileException.class, () -> BaseModels.load(m, dir.toString()));
            assertTrue(e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("safe_serialization"),
                    e.getMessage());
            e = assertThrows(WeightFileException.class, () -> BaseModels.load(m, "roberta-large"));
            assertTrue(e.getMessage().contains("roberta-large") && e.getMessage().contains("unknown base model"),
                    e.getMessage());
        }
    }

    private static void put(NDManager m, Map<String, NDArray> out, String name, long... shape) {
        out.put(name, m.randomNormal(0f, 0.1f, new Shape(shape), DataType.FLOAT32));
    }

}
