package dev.sentiflow.modeldata.weights;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfBertNamesTest {

    @Test
    void googleBertVariablesMapToCanonicalNames() {
        assertEquals("embeddings.word_embeddings.weight",
                TfBertNames.canonical("bert/embeddings/word_embeddings").orElseThrow());
        assertEquals("embeddings.token_type_embeddings.weight",
                TfBertNames.canonical("module/bert/embeddings/token_type_embeddings").orElseThrow());
        assertEquals("embeddings.LayerNorm.weight", TfBertNames.canonical("bert/embeddings/LayerNorm/gamma").orElseThrow());
        assertEquals("encoder.layer.11.attention.self.query.weight",
                TfBertNames.canonical("bert/encoder/layer_11/attention/self/query/kernel").orElseThrow());
        assertEquals("encoder.layer.0.attention.output.LayerNorm.bias",
                TfBertNames.canonical("bert/encoder/layer_0/attention/output/LayerNorm/beta").orElseThrow());
        assertEquals("encoder.layer.3.intermediate.dense.bias",
                TfBertNames.canonical("bert/encoder/layer_3/intermediate/dense/bias").orElseThrow());
        assertEquals("pooler.dense.weight", TfBertNames.canonical("bert/pooler/dense/kernel").orElseThrow());
        assertEquals("cls.predictions.transform.LayerNorm.weight",
                TfBertNames.canonical("cls/predictions/transform/LayerNorm/gamma").orElseThrow());
        assertEquals("cls.predictions.bias", TfBertNames.canonical("cls/predictions/output_bias").orElseThrow());
        assertEquals(Optional.empty(), TfBertNames.canonical("cls/seq_relationship/output_weights"));
        assertEquals(Optional.empty(), TfBertNames.canonical("global_step"));
        assertTrue(TfBertNames.isKernel("bert/pooler/dense/kernel"));
        assertFalse(TfBertNames.isKernel("bert/embeddings/word_embeddings"));
    }
}
