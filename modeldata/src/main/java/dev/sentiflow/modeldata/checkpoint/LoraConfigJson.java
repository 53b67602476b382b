package dev.sentiflow.modeldata.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentiflow.modeldata.config.LoraConfig;

import java.util.ArrayList;
import java.util.List;

/** {@link LoraConfig} to and from JSON with PEFT's field names. */
public final class LoraConfigJson {

    /** The one mapper of PEFT JSON (adapter_config.json is written and read with it too). */
    public static final ObjectMapper JSON = new ObjectMapper();

    private LoraConfigJson() {}

    static ObjectNode toJson(LoraConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("r", c.r());
        o.put("lora_alpha", c.alpha());
        o.put("lora_dropout", c.dropout());
        c.targets().forEach(o.putArray("target_modules")::add);
        c.modulesToSave().forEach(o.putArray("modules_to_save")::add);
        return o;
    }

    /** The config as compact JSON text, as checkpoints and the {@code models} topic carry it. */
    public static String toText(LoraConfig c) {
        return toJson(c).toString();
    }

    /** Parses {@link #toText}'s form; a {@link CheckpointException} naming {@code source} when it is not one. */
    public static LoraConfig fromText(String text, String source) {
        JsonNode o;
        try {
            o = JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new CheckpointException(source, "LoRA config is not JSON: " + e.getMessage(), e);
        }
        return fromJson(o, source);
    }

    public static LoraConfig fromJson(JsonNode o, String source) {
        if (!o.path("r").canConvertToInt() || !o.path("lora_alpha").isNumber()) {
            throw new CheckpointException(source, "LoRA config lacks r or lora_alpha: " + o);
        }
        try {
            return new LoraConfig(o.get("r").asInt(), (float) o.get("lora_alpha").asDouble(),
                    (float) o.path("lora_dropout").asDouble(0.0), strings(o.path("target_modules")),
                    strings(o.path("modules_to_save")));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source, "invalid LoRA config: " + e.getMessage(), e);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isTextual()) {
            out.add(array.asText());
        } else {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
