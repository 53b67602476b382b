package dev.sentiflow.modeldata.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shape and hyper-parameters of a BERT-family encoder, read from a Hugging Face {@code config.json}.
 *
 * <p>BERT and DistilBERT use different field names for the same things ({@code hidden_size} vs
 * {@code dim}); both map onto this one record. DistilBERT has no token types, so its
 * {@code typeVocabSize} is 0 and the encoder then has no token-type embedding.
 *
 * @param modelType "bert" or "distilbert": which naming the checkpoint uses
 */
public record BertConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        float layerNormEps,
        float hiddenDropout,
        float attentionDropout,
        float initializerRange) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public BertConfig {
        if (hiddenSize <= 0 || numHeads <= 0 || hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden size " + hiddenSize + " is not divisible by " + numHeads + " heads");
        }
        if (numLayers <= 0 || vocabSize <= 0 || intermediateSize <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("config has a non-positive size: " + describe(
                    vocabSize, hiddenSize, numLayers, intermediateSize, maxPositions));
        }
    }

    private static String describe(int vocab, int hidden, int layers, int inter, int pos) {
        return "vocab=" + vocab + " hidden=" + hidden + " layers=" + layers
                + " intermediate=" + inter + " positions=" + pos;
    }

    /** all-MiniLM-L6-v2: BERT 6x384, the fast default base. */
    public static BertConfig minilmL6() {
        return new BertConfig("bert", 30522, 384, 6, 12, 1536, 512, 2, 1e-12f, 0.1f, 0.1f, 0.02f);
    }

    /** Google's bert-base-uncased: 12x768. */
    public static BertConfig bertBase() {
        return new BertConfig("bert", 30522, 768, 12, 12, 3072, 512, 2, 1e-12f, 0.1f, 0.1f, 0.02f);
    }

    /** The same model cut to its first {@code n} layers (tiny tests, DistilBERT-style students). */
    public BertConfig withLayers(int n) {
        return new BertConfig(modelType, vocabSize, hiddenSize, n, numHeads, intermediateSize,
                maxPositions, typeVocabSize, layerNormEps, hiddenDropout, attentionDropout,
                initializerRange);
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }

    public boolean isDistilBert() {
        return "distilbert".equals(modelType);
    }

    /** Reads a Hugging Face {@code config.json} of a BERT or DistilBERT model. */
    public static BertConfig fromJson(Path configJson) {
        JsonNode node;
        try {
            node = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model config " + configJson + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(node);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** Parses the JSON tree of a {@code config.json}. */
    public static BertConfig fromJson(JsonNode n) {
        String type = n.path("model_type").asText("bert");
        if (type.equals("distilbert") || n.has("n_layers")) {
            String act = n.path("activation").asText("gelu");
            requireGelu(act);
            return new BertConfig("distilbert",
                    required(n, "vocab_size"), required(n, "dim"), required(n, "n_layers"),
                    required(n, "n_heads"), required(n, "hidden_dim"),
                    n.path("max_position_embeddings").asInt(512), 0, 1e-12f,
                    (float) n.path("dropout").asDouble(0.1),
                    (float) n.path("attention_dropout").asDouble(0.1),
                    (float) n.path("initializer_range").asDouble(0.02));
        }
        if (!type.equals("bert")) {
            throw new IllegalArgumentException("model_type '" + type
                    + "' is not supported; expected bert or distilbert");
        }
        requireGelu(n.path("hidden_act").asText("gelu"));
        return new BertConfig("bert",
                required(n, "vocab_size"), required(n, "hidden_size"),
                required(n, "num_hidden_layers"), required(n, "num_attention_heads"),
                required(n, "intermediate_size"),
                n.path("max_position_embeddings").asInt(512),
                n.path("type_vocab_size").asInt(2),
                (float) n.path("layer_norm_eps").asDouble(1e-12),
                (float) n.path("hidden_dropout_prob").asDouble(0.1),
                (float) n.path("attention_probs_dropout_prob").asDouble(0.1),
                (float) n.path("initializer_range").asDouble(0.02));
    }

    private static void requireGelu(String act) {
        if (!act.equals("gelu")) {
            throw new IllegalArgumentException("activation '" + act + "' is not supported; only erf gelu");
        }
    }

    private static int required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("config field '" + field + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /** This config as a Hugging Face BERT {@code config.json} tree (for HF directory export). */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("BertForSequenceClassification");
        o.put("model_type", "bert");
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("num_hidden_layers", numLayers);
        o.put("num_attention_heads", numHeads);
        o.put("intermediate_size", intermediateSize);
        o.put("hidden_act", "gelu");
        o.put("max_position_embeddings", maxPositions);
        o.put("type_vocab_size", Math.max(typeVocabSize, 1));
        o.put("layer_norm_eps", (double) layerNormEps);
        o.put("hidden_dropout_prob", (double) hiddenDropout);
        o.put("attention_probs_dropout_prob", (double) attentionDropout);
        o.put("initializer_range", (double) initializerRange);
        o.put("pad_token_id", 0);
        return o;
    }
}
