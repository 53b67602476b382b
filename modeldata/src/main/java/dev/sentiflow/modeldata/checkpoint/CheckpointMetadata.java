package dev.sentiflow.modeldata.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sentiflow.modeldata.config.LoraConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a checkpoint says about itself, stored as the safetensors {@code __metadata__} string map.
 *
 * @param baseHash sha-256 of the base weights it was trained on
 * @param lora the LoRA config (adapters only)
 * @param labels label names, index = class id
 * @param tokenizerId the tokenizer's id, so inference tokenizes as training did
 * @param maxLength the token limit per text it was trained with ([CLS] and [SEP] included)
 */
public record CheckpointMetadata(CheckpointKind kind, String baseHash, Optional<LoraConfig> lora,
        List<String> labels, String tokenizerId, int maxLength) {

    static final String KIND = "sentiflow.kind";
    static final String BASE_HASH = "sentiflow.base_hash";
    static final String LORA = "sentiflow.lora";
    static final String LABELS = "sentiflow.labels";
    static final String TOKENIZER = "sentiflow.tokenizer";
    static final String MAX_LENGTH = "sentiflow.max_length";

    public CheckpointMetadata {
        labels = List.copyOf(labels);
        if (kind == CheckpointKind.ADAPTER && lora.isEmpty()) {
            throw new IllegalArgumentException("an adapter checkpoint needs its LoRA config");
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException("max length must be positive, got " + maxLength);
        }
    }

    /** The identity of the model this checkpoint was trained as; it applies only to a model of the same one. */
    public ModelIdentity identity() {
        return new ModelIdentity(baseHash, lora, labels, tokenizerId, maxLength);
    }

    Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put(KIND, kind.name().toLowerCase(Locale.ROOT));
        m.put(BASE_HASH, baseHash);
        lora.ifPresent(l -> m.put(LORA, LoraConfigJson.toJson(l).toString()));
        try {
            m.put(LABELS, LoraConfigJson.JSON.writeValueAsString(labels));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        m.put(TOKENIZER, tokenizerId);
        m.put(MAX_LENGTH, Integer.toString(maxLength));
        return m;
    }

    static CheckpointMetadata fromMap(Map<String, String> m, String source) {
        String kindText = require(m, KIND, source);
        CheckpointKind kind;
        try {
            kind = CheckpointKind.valueOf(kindText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source, "unknown checkpoint kind '" + kindText + "'");
        }
        Optional<LoraConfig> lora = Optional.ofNullable(m.get(LORA)).map(j -> LoraConfigJson.fromJson(parse(j, source), source));
        List<String> labels = LoraConfigJson.strings(parse(require(m, LABELS, source), source));
        String maxLength = require(m, MAX_LENGTH, source);
        try {
            return new CheckpointMetadata(kind, require(m, BASE_HASH, source), lora, labels, require(m, TOKENIZER, source),
                    Integer.parseInt(maxLength));
        } catch (NumberFormatException e) {
            throw new CheckpointException(source, "max length '" + maxLength + "' is not a number", e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source, e.getMessage(), e);
        }
    }

    private static String require(Map<String, String> m, String key, String source) {
        String v = m.get(key);
        if (v == null) {
            throw new CheckpointException(source, "metadata has no '" + key + "' (not a sentiflow checkpoint?)");
        }
        return v;
    }

    private static JsonNode parse(String json, String source) {
        try {
            return LoraConfigJson.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(source, "metadata is not valid JSON: " + json, e);
        }
    }
}
