package dev.sentiflow.trainer.loop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each model's examples on a partition are trained up to, carried in the metadata of the
 * group's committed offset. The committed offset itself stops at the first example some model has
 * not trained yet (a model that rarely gets examples holds it back for every other); without these
 * positions a restart would read everything past it as new and retrain the other models on it.
 */
final class TrainedOffsets {

    /** Kafka's default {@code offset.metadata.max.bytes} is 4096; stay well under it. */
    static final int MAX_CHARS = 3500;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIELD = "trained_until";

    private TrainedOffsets() {}

    /**
     * The metadata for {@code trainedUntil} (model to offset). Models that do not fit in
     * {@link #MAX_CHARS} are left out: after a restart they retrain some examples, they lose none.
     */
    static String encode(Map<String, Long> trainedUntil) {
        if (trainedUntil.isEmpty()) {
            return "";
        }
        ObjectNode root = JSON.createObjectNode();
        ObjectNode models = root.putObject(FIELD);
        for (Map.Entry<String, Long> e : new TreeMap<>(trainedUntil).entrySet()) {
            models.put(e.getKey(), e.getValue());
            if (root.toString().length() > MAX_CHARS) {
                models.remove(e.getKey());
                break;
            }
        }
        return models.isEmpty() ? "" : root.toString();
    }

    /** What {@link #encode} wrote; empty for no metadata or metadata written by anything else. */
    static Map<String, Long> decode(String metadata) {
        Map<String, Long> out = new TreeMap<>();
        if (metadata == null || metadata.isBlank()) {
            return out;
        }
        try {
            JsonNode models = JSON.readTree(metadata).path(FIELD);
            models.fields().forEachRemaining(e -> {
                if (e.getValue().canConvertToLong()) {
                    out.put(e.getKey(), e.getValue().asLong());
                }
            });
        } catch (JsonProcessingException e) {
            return out;
        }
        return out;
    }
}
