package dev.sentiflow.model.checkpoint;

import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.CheckpointFile;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.LoraConfigJson;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.weights.NdTensors;
import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.Safetensors;
import dev.sentiflow.modeldata.weights.WeightFileException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A LoRA adapter as PEFT saves it: a directory with {@code adapter_config.json} and
 * {@code adapter_model.safetensors}, loadable in Python with
 * {@code PeftModel.from_pretrained(AutoModelForSequenceClassification.from_pretrained(base), dir)}.
 * The pooler is new for bases without one (MiniLM), so it is listed in {@code modules_to_save}
 * and saved; otherwise Python would re-initialise it at random.
 */
public final class PeftAdapterFiles {

    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";

    /** An imported adapter: its config and tensors under canonical names. */
    public record Adapter(LoraConfig config, Map<String, NDArray> tensors) {

        /**
         * As a sentiflow adapter checkpoint for a base: PEFT files name neither the base by hash, nor
         * the labels, tokenizer or token limit, so the caller vouches for them.
         */
        public Checkpoint toCheckpoint(String baseHash, List<String> labels, String tokenizerId, int maxLength) {
            return new Checkpoint(new CheckpointMetadata(CheckpointKind.ADAPTER, baseHash,
                    Optional.of(config), labels, tokenizerId, maxLength), tensors);
        }
    }

    private PeftAdapterFiles() {}

    /**
     * Writes the model's adapter (LoRA A/B and the modules to save).
     *
     * @param baseModelNameOrPath what Python should load as the base, e.g.
     *     {@code sentence-transformers/all-MiniLM-L6-v2}
     */
    public static void write(Path dir, HfBlock model, LoraConfig lora, BertConfig config, String baseModelNameOrPath) {
        if (config.isDistilBert() && lora.modulesToSave().contains("pooler")) {
            throw new UnsupportedOperationException("a DistilBERT base has no pooler in Hugging Face's "
                    + "DistilBertForSequenceClassification (its head is pre_classifier + ReLU), so this "
                    + "classifier's head cannot be expressed as a PEFT adapter; export the full model instead");
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Map<String, Parameter> selected = CheckpointFile.select(model.namedParameters(), CheckpointKind.ADAPTER,
                Optional.of(lora));
        selected.forEach((name, p) -> tensors.put(PeftNames.toPeft(name, config.isDistilBert()), p.getArray()));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CONFIG), adapterConfig(lora, config, baseModelNameOrPath).toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
        Safetensors.write(dir.resolve(WEIGHTS), NdTensors.toHost(tensors), Map.of("format", "pt"));
    }

    private static ObjectNode adapterConfig(LoraConfig lora, BertConfig config, String base) {
        ObjectNode o = LoraConfigJson.JSON.createObjectNode();
        o.put("peft_type", "LORA");
        o.put("task_type", "SEQ_CLS");
        o.put("base_model_name_or_path", base);
        o.put("r", lora.r());
        o.put("lora_alpha", lora.alpha());
        o.put("lora_dropout", lora.dropout());
        o.put("bias", "none");
        o.put("use_rslora", false);
        o.put("use_dora", false);
        o.put("inference_mode", true);
        o.put("fan_in_fan_out", false);
        o.put("init_lora_weights", true);
        putTargets(o, lora, config);
        lora.modulesToSave().forEach(o.putArray("modules_to_save")::add);
        return o;
    }

    /**
     * PEFT matches a listed target by name suffix, under which {@code dense} would also hit the
     * pooler; in that case a regex (PEFT full-matches a string) names the layer projections exactly.
     */
    private static void putTargets(ObjectNode o, LoraConfig lora, BertConfig config) {
        List<String> short3 = List.of("query", "key", "value");
        List<String> names = new ArrayList<>();
        boolean simple = true;
        for (String p : lora.targetedProjections()) {
            String last = p.substring(p.lastIndexOf('.') + 1);
            simple &= short3.contains(last);
            names.add(config.isDistilBert() ? distilShort(p) : last);
        }
        if (simple || config.isDistilBert()) {
            names.forEach(o.putArray("target_modules")::add);
        } else {
            // Python's re has no \Q...\E (Java's Pattern.quote): escape each character as re.escape does.
            String alt = String.join("|", lora.targetedProjections().stream().map(PeftAdapterFiles::pythonEscape)
                    .toList());
            o.put("target_modules", ".*\\.layer\\.\\d+\\.(" + alt + ")");
        }
    }

    /** A literal for Python's {@code re} (and Java's regex alike): every non-word character backslashed. */
    static String pythonEscape(String literal) {
        StringBuilder out = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String distilShort(String projection) {
        return switch (projection) {
            case "attention.self.query" -> "q_lin";
            case "attention.self.key" -> "k_lin";
            case "attention.self.value" -> "v_lin";
            case "attention.output.dense" -> "out_lin";
            case "intermediate.dense" -> "lin1";
            default -> "lin2";
        };
    }

    /** Reads a PEFT adapter directory; tensors are created in {@code manager}. */
    public static Adapter read(NDManager manager, Path dir) {
        Path configFile = dir.resolve(CONFIG);
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(configFile) || !Files.isRegularFile(weightsFile)) {
            throw new CheckpointException(dir.toString(), "not a PEFT adapter directory (needs " + CONFIG
                    + " and " + WEIGHTS + ")");
        }
        JsonNode json;
        try {
            json = LoraConfigJson.JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new CheckpointException(configFile.toString(), "unreadable: " + e.getMessage(), e);
        }
        if (!"LORA".equals(json.path("peft_type").asText())) {
            throw new CheckpointException(configFile.toString(), "peft_type is '" + json.path("peft_type").asText()
                    + "'; only LORA adapters are supported");
        }
        ObjectNode normalized = json.deepCopy();
        if (json.path("target_modules").isTextual()) {
            normalized.set("target_modules", targetsFromRegex(json.get("target_modules").asText()));
        }
        LoraConfig config = LoraConfigJson.fromJson(normalized, configFile.toString());
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try {
            NdTensors.toNd(manager, Safetensors.read(weightsFile).tensors()).forEach((name, t) -> tensors.put(
                    PeftNames.fromPeft(name).orElseThrow(() -> new CheckpointException(weightsFile.toString(),
                            "tensor '" + name + "' is not a PEFT tensor name (no base_model.model. prefix)")), t));
        } catch (WeightFileException e) {
            throw new CheckpointException(weightsFile.toString(), e.getMessage(), e);
        }
        return new Adapter(config, tensors);
    }

    private static com.fasterxml.jackson.databind.node.ArrayNode targetsFromRegex(String regex) {
        Pattern p = Pattern.compile(regex);
        var out = LoraConfigJson.JSON.createArrayNode();
        for (String proj : LoraConfig.PROJECTIONS) {
            if (p.matcher("bert.encoder.layer.0." + proj).matches() || p.matcher("encoder.layer.0." + proj).matches()) {
                out.add(proj);
            }
        }
        return out;
    }
}
