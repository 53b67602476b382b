package dev.sentiflow.modeldata.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BertConfigTest {

    @Test
    void readsBertConfigJson(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": 30522,
                 "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12,
                 "intermediate_size": 1536, "hidden_act": "gelu", "max_position_embeddings": 512,
                 "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1,
                 "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02}
                """);
        assertEquals(BertConfig.minilmL6(), BertConfig.fromJson(f));
    }

    @Test
    void readsDistilBertConfigJson(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config.json"), """
                {"model_type": "distilbert", "vocab_size": 30522, "dim": 768, "n_layers": 6,
                 "n_heads": 12, "hidden_dim": 3072, "max_position_embeddings": 512,
                 "dropout": 0.1, "attention_dropout": 0.1, "activation": "gelu", "seq_classif_dropout": 0.2}
                """);
        BertConfig c = BertConfig.fromJson(f);
        assertTrue(c.isDistilBert());
        assertEquals(768, c.hiddenSize());
        assertEquals(6, c.numLayers());
        assertEquals(3072, c.intermediateSize());
        assertEquals(0, c.typeVocabSize());
        assertEquals(64, c.headSize());
    }

    @Test
    void withLayersCutsOnlyTheDepth() {
        BertConfig two = BertConfig.minilmL6().withLayers(2);
        assertEquals(2, two.numLayers());
        assertEquals(384, two.hiddenSize());
    }

    @Test
    void errorsNameTheFileAndTheField(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", \"vocab_size\": 10}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertConfig.fromJson(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("hidden_size"), e.getMessage());

        Path gpt = Files.writeString(dir.resolve("gpt.json"), "{\"model_type\": \"gpt2\"}");
        e = assertThrows(IllegalArgumentException.class, () -> BertConfig.fromJson(gpt));
        assertTrue(e.getMessage().contains("gpt2"), e.getMessage());

        Path bad = Files.writeString(dir.resolve("bad.json"), "{not json");
        Exception io = assertThrows(java.io.UncheckedIOException.class, () -> BertConfig.fromJson(bad));
        assertTrue(io.getMessage().contains("bad.json"), io.getMessage());
    }
}
